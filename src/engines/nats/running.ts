/**
 * What a running job holds besides its record: an entry in the `active` bucket (so lease
 * recovery lists running jobs without reading every record) and, in a capped queue, a numbered
 * slot in the `slots` bucket taken with a create (so the cap is exact cluster-wide). Both are
 * written before the record becomes `running` and removed after it leaves, so a crash leaves at
 * worst a stale entry, which is checked against the record and cleared (docs/nats.md).
 */
import { mapError } from './connection.js';
import { isCasConflict, keysOf, readJob, removeAt, type Ctx } from './context.js';
import { encodeKey } from './names.js';

interface ActiveValue {
  queue: string;
  attempt: number;
}

/** Records that job `id` is about to run attempt `attempt` in `queue`; the entry's revision. */
export async function activePut(ctx: Ctx, id: string, queue: string, attempt: number): Promise<number> {
  const v: ActiveValue = { queue, attempt };
  return ctx.kv.active.put(encodeKey(id), JSON.stringify(v)).catch(mapError);
}

/** Removes the entry of `id` written at `rev` (a later claim's entry stays). */
export async function activeDelete(ctx: Ctx, id: string, rev: number): Promise<void> {
  await removeAt(ctx, 'active', rev);
}

/** Ids of the jobs with an active entry. */
export async function activeIds(ctx: Ctx): Promise<{ key: string; rev: number }[]> {
  const out: { key: string; rev: number }[] = [];
  for (const k of await keysOf(ctx, 'active')) {
    const e = await ctx.kv.active.get(k).catch(mapError);
    if (e && e.operation === 'PUT') out.push({ key: k, rev: e.revision });
  }
  return out;
}

/** Clears an active entry read at `rev` (only if nobody wrote it since). */
export async function activeClear(ctx: Ctx, key: string, rev: number): Promise<void> {
  await removeAt(ctx, 'active', rev);
}

interface SlotValue {
  id: string;
  attempt: number;
}

const slotKey = (queue: string, n: number): string => `${queue}.${n}`;

/** The slots of `queue` taken now: number → the revision and holder. */
async function slotsOf(ctx: Ctx, queue: string): Promise<Map<number, { rev: number; v: SlotValue }>> {
  const out = new Map<number, { rev: number; v: SlotValue }>();
  for (const k of await keysOf(ctx, 'slots', `${queue}.*`)) {
    const e = await ctx.kv.slots.get(k).catch(mapError);
    if (e && e.operation === 'PUT') out.set(Number(k.slice(k.lastIndexOf('.') + 1)), { rev: e.revision, v: e.json() });
  }
  return out;
}

/** How many slots of `queue` are taken (its running jobs, and stale slots not yet cleared). */
export async function slotsHeld(ctx: Ctx, queue: string): Promise<number> {
  return (await slotsOf(ctx, queue)).size;
}

/** True when the holder of a slot no longer runs that attempt with that slot. */
async function slotStale(ctx: Ctx, n: number, holder: SlotValue): Promise<boolean> {
  const v = await readJob(ctx, holder.id);
  return !v || v.job.state !== 'running' || v.job.attempts !== holder.attempt || v.engine._slot !== n;
}

/**
 * Takes a free slot of `queue` (cap `cap`) for attempt `attempt` of job `id`; the slot number,
 * or null when every slot is held by a running job. Stale slots are cleared on the way.
 */
export async function slotTake(
  ctx: Ctx,
  queue: string,
  cap: number,
  id: string,
  attempt: number,
): Promise<{ n: number; rev: number } | null> {
  const held = await slotsOf(ctx, queue);
  const value = JSON.stringify({ id, attempt } satisfies SlotValue);
  const tryCreate = async (n: number): Promise<{ n: number; rev: number } | null> => {
    try {
      return { n, rev: await ctx.kv.slots.create(slotKey(queue, n), value) };
    } catch (err) {
      if (isCasConflict(err)) return null;
      return mapError(err);
    }
  };
  for (let n = 0; n < cap && n < held.size + 1; n++) {
    const got = held.has(n) ? null : await tryCreate(n);
    if (got) return got;
  }
  for (const [n, h] of held) {
    if (n >= cap || !(await slotStale(ctx, n, h.v))) continue;
    await removeAt(ctx, 'slots', h.rev);
    const got = await tryCreate(n);
    if (got) return got;
  }
  return null;
}

/** Frees slot `n` of `queue` taken at revision `rev` (if nobody took it since). */
export async function slotFree(ctx: Ctx, queue: string, n: number, rev: number): Promise<void> {
  await removeAt(ctx, 'slots', rev);
}
