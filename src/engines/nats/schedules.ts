/** Stored schedules, one KV entry each; a fire is claimed by compare-and-set. */
import type { ScheduleRecord } from '../../backend/backend.js';
import { mapError } from './connection.js';
import { isCasConflict, keysOf, removeAt, type Ctx } from './context.js';
import { encodeKey } from './names.js';

type Stored = Omit<ScheduleRecord, 'lastFireAt' | 'nextFireAt' | 'createdAt' | 'updatedAt'> & {
  lastFireAt: number | null;
  nextFireAt: number | null;
  createdAt: number;
  updatedAt: number;
};

const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const date = (v: number | null): Date | null => (v === null ? null : new Date(v));

const toStored = (s: ScheduleRecord): Stored => ({
  ...s,
  lastFireAt: ms(s.lastFireAt),
  nextFireAt: ms(s.nextFireAt),
  createdAt: s.createdAt.getTime(),
  updatedAt: s.updatedAt.getTime(),
});
const fromStored = (s: Stored): ScheduleRecord => ({
  ...s,
  lastFireAt: date(s.lastFireAt),
  nextFireAt: date(s.nextFireAt),
  createdAt: new Date(s.createdAt),
  updatedAt: new Date(s.updatedAt),
});

async function entry(ctx: Ctx, name: string): Promise<{ s: Stored; rev: number } | null> {
  const e = await ctx.kv.schedules.get(encodeKey(name)).catch(mapError);
  return e && e.operation === 'PUT' ? { s: e.json<Stored>(), rev: e.revision } : null;
}

/** One schedule, or `null`. */
export async function scheduleGet(ctx: Ctx, { name }: { name: string }): Promise<ScheduleRecord | null> {
  const e = await entry(ctx, name);
  return e ? fromStored(e.s) : null;
}

/** Creates or replaces a schedule; a replaced one keeps its `createdAt`. */
export async function scheduleUpsert(ctx: Ctx, { schedule }: { schedule: ScheduleRecord }): Promise<ScheduleRecord> {
  for (;;) {
    const cur = await entry(ctx, schedule.name);
    const next = toStored(schedule);
    if (cur) next.createdAt = cur.s.createdAt;
    try {
      if (cur) await ctx.kv.schedules.update(encodeKey(schedule.name), JSON.stringify(next), cur.rev);
      else await ctx.kv.schedules.create(encodeKey(schedule.name), JSON.stringify(next));
      return fromStored(next);
    } catch (err) {
      if (!isCasConflict(err)) mapError(err);
    }
  }
}

/** Every schedule, by name. */
export async function schedulesList(ctx: Ctx): Promise<ScheduleRecord[]> {
  const keys = await keysOf(ctx, 'schedules');
  const all = await Promise.all(keys.map(async (k) => (await ctx.kv.schedules.get(k).catch(mapError)) ?? null));
  return all
    .flatMap((e) => (e && e.operation === 'PUT' ? [fromStored(e.json<Stored>())] : []))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Removes a schedule; false when there was none. */
export async function scheduleDelete(ctx: Ctx, { name }: { name: string }): Promise<boolean> {
  const cur = await entry(ctx, name);
  if (!cur) return false;
  return (await removeAt(ctx, 'schedules', cur.rev)) || scheduleDelete(ctx, { name });
}

/** Compare-and-set of a fire: applies only while `lastFireAt` is still `expectedLastFireAt`. */
export async function scheduleFireClaim(
  ctx: Ctx,
  p: { name: string; expectedLastFireAt: Date | null; lastFireAt: Date | null; nextFireAt: Date | null },
): Promise<boolean> {
  const cur = await entry(ctx, p.name);
  if (!cur || cur.s.lastFireAt !== ms(p.expectedLastFireAt)) return false;
  const next: Stored = { ...cur.s, lastFireAt: ms(p.lastFireAt), nextFireAt: ms(p.nextFireAt), updatedAt: ctx.now() };
  try {
    await ctx.kv.schedules.update(encodeKey(p.name), JSON.stringify(next), cur.rev);
    return true;
  } catch (err) {
    if (isCasConflict(err)) return false;
    return mapError(err);
  }
}
