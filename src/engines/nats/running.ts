/**
 * What a running job holds besides its record: an entry in the `active` bucket, one per claim
 * (so lease recovery lists running jobs without reading every record) and, in a capped queue, a numbered
 * slot in the `slots` bucket taken with a create (so the cap is exact cluster-wide). Both are
 * written before the record becomes `running` and removed after it leaves, so a crash leaves at
 * worst a stale entry, which is checked against the record and cleared (docs/nats.md).
 */
import { mapError } from './connection.js';
import { inBackground, isCasConflict, keysOf, readJob, removeAt, type Ctx } from './context.js';
import type { Job } from '../../core/job.js';
import type { EngineFields } from './job-codec.js';
import { decodeKey } from './names.js';
import { wirePut } from './wire.js';

/** What an `active` entry holds: the jobs one claim of one worker is about to run. */
interface ActiveValue {
  queue: string;
  worker: string;
  ids: string[];
  /** When the claim began (engine clock, ms). */
  at: number;
}

/** One entry of the `active` bucket as read. */
export interface ActiveEntry {
  rev: number;
  /** The worker of the claim (null in an entry of an older layout). */
  worker: string | null;
  ids: string[];
  /** When the claim began (engine clock, ms; null in an entry of an older layout). */
  at: number | null;
}

/**
 * Records that `workerId` may be about to run the jobs `ids` (one claim's, of one queue): one
 * entry per claim, not per job, so a claim of a hundred jobs costs one write here. Written while
 * the records are read, before any is set running; answers the entry's revision, which the
 * records of the jobs it runs carry (`_activeRev`).
 */
export async function activePut(ctx: Ctx, queue: string, workerId: string, ids: string[]): Promise<number> {
  const v: ActiveValue = { queue, worker: workerId, ids, at: ctx.now() };
  const key = `${ctx.origin}.${++ctx.claimSeq}`;
  return wirePut(ctx.wire, ctx.n.bucket('active'), key, JSON.stringify(v)).catch(mapError);
}

/**
 * Notes that this process runs `ids` under the entry written at `rev`: the entry is removed once
 * every one of them has left `running` (see `activeLet`). An entry none of them holds goes at once.
 */
export function activeHold(ctx: Ctx, rev: number, ids: string[]): void {
  for (const id of ids) {
    // A job claimed again here before its last claim was let go (another process ended that run).
    if (ctx.claimOf.has(id)) activeLet(ctx, id);
    ctx.claimOf.set(id, rev);
  }
  if (ids.length > 0) ctx.claimLeft.set(rev, (ctx.claimLeft.get(rev) ?? 0) + ids.length);
  else inBackground(ctx, removeAt(ctx, 'active', rev));
}

/**
 * Notes that job `id`, run by this process, left `running` (or was taken from it): the last job
 * of a claim to go removes the claim's entry. Entries of a process that died are cleared by
 * lease recovery (`activeEntries` and the records they name).
 */
export function activeLet(ctx: Ctx, id: string): void {
  const rev = ctx.claimOf.get(id);
  if (rev === undefined) return;
  ctx.claimOf.delete(id);
  const left = (ctx.claimLeft.get(rev) ?? 1) - 1;
  if (left > 0) return void ctx.claimLeft.set(rev, left);
  ctx.claimLeft.delete(rev);
  inBackground(ctx, removeAt(ctx, 'active', rev));
}

/**
 * Lets go of this process's claim of job `id` unless the record `v` (as just read or written)
 * still runs under that claim's entry: a worker that finds its job taken away frees its part.
 */
export function activeSettle(ctx: Ctx, id: string, v: { job: Job; engine: EngineFields } | null): void {
  const rev = ctx.claimOf.get(id);
  if (rev === undefined) return;
  if (v !== null && v.job.state === 'running' && v.engine._activeRev === rev) return;
  activeLet(ctx, id);
}

/** The entries of the `active` bucket (an entry of an older layout names one job by its key). */
export async function activeEntries(ctx: Ctx): Promise<ActiveEntry[]> {
  const out: ActiveEntry[] = [];
  for (const key of await keysOf(ctx, 'active')) {
    const e = await ctx.kv.active.get(key).catch(mapError);
    if (!e || e.operation !== 'PUT') continue;
    const v = e.json<Partial<ActiveValue>>();
    out.push({ rev: e.revision, worker: v.worker ?? null, ids: v.ids ?? [decodeKey(key)], at: v.at ?? null });
  }
  return out;
}

/** Clears an active entry read at `rev` (only if nobody wrote it since). */
export async function activeClear(ctx: Ctx, rev: number): Promise<void> {
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
