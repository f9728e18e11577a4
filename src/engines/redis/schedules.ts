/** Stored schedules; the scheduler in the core interprets them. Times are their own hash fields. */
import type { ScheduleRecord } from '../../backend/backend.js';
import { nowArg, run, type Ctx } from './context.js';

type Stored = [string | null, string | null, string | null, string | null, string | null];

const ms = (d: Date | null): string => (d ? String(d.getTime()) : '');
const date = (v: string | null): Date | null => (v ? new Date(Number(v)) : null);

function read([doc, last, next, created, updated]: Stored): ScheduleRecord | null {
  if (doc === null) return null;
  const rest = JSON.parse(doc) as Omit<ScheduleRecord, 'lastFireAt' | 'nextFireAt' | 'createdAt' | 'updatedAt'>;
  return {
    ...rest,
    lastFireAt: date(last),
    nextFireAt: date(next),
    createdAt: new Date(Number(created)),
    updatedAt: new Date(Number(updated)),
  };
}

/** One schedule, or `null`. */
export async function scheduleGet(ctx: Ctx, { name }: { name: string }): Promise<ScheduleRecord | null> {
  const [stored] = await run<Stored[]>(ctx, 'schedules-get', [name]);
  return read(stored!);
}

/** Creates or replaces a schedule; a replaced one keeps its `createdAt`. */
export async function scheduleUpsert(ctx: Ctx, { schedule: s }: { schedule: ScheduleRecord }): Promise<ScheduleRecord> {
  const { lastFireAt, nextFireAt, createdAt, updatedAt, ...rest } = s;
  const stored = await run<Stored>(ctx, 'schedule-upsert', [
    s.name,
    JSON.stringify(rest),
    ms(lastFireAt),
    ms(nextFireAt),
    ms(createdAt),
    ms(updatedAt),
  ]);
  return read(stored)!;
}

/** Every schedule, by name. */
export async function schedulesList(ctx: Ctx): Promise<ScheduleRecord[]> {
  const all = (await run<Stored[]>(ctx, 'schedules-get', [])).map(read).filter((s): s is ScheduleRecord => s !== null);
  return all.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Removes a schedule; false when there was none. */
export async function scheduleDelete(ctx: Ctx, { name }: { name: string }): Promise<boolean> {
  return (await run<number>(ctx, 'schedule-delete', [name])) === 1;
}

/** Compare-and-set of a fire: applies only while `lastFireAt` is still `expectedLastFireAt`. */
export async function scheduleFireClaim(
  ctx: Ctx,
  p: { name: string; expectedLastFireAt: Date | null; lastFireAt: Date | null; nextFireAt: Date | null },
): Promise<boolean> {
  const args = [p.name, ms(p.expectedLastFireAt), ms(p.lastFireAt), ms(p.nextFireAt), nowArg(ctx)];
  return (await run<number>(ctx, 'schedule-fire-claim', args)) === 1;
}
