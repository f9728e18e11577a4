/** Stored recurring schedules; the scheduler in the core interprets them. */
import type { ScheduleRecord } from '../../backend/backend.js';
import { run } from './connection.js';
import { type Ctx } from './context.js';
import { json } from './job-columns.js';
import { toSchedule, type ScheduleRow } from './rows.js';

/** Creates or replaces a schedule (its `createdAt` stays the first one). */
export async function scheduleUpsert(ctx: Ctx, { schedule: s }: { schedule: ScheduleRecord }): Promise<ScheduleRecord> {
  const [row] = await run<ScheduleRow>(ctx.pool, ctx.admin.scheduleUpsert, [
    s.name,
    s.spec,
    s.timezone,
    json(s.template),
    s.paused,
    s.misfire,
    s.lastFireAt,
    s.nextFireAt,
    s.createdAt,
    s.updatedAt,
  ]);
  return toSchedule(row!);
}

/** One schedule or `null`. */
export async function scheduleGet(ctx: Ctx, { name }: { name: string }): Promise<ScheduleRecord | null> {
  const [row] = await run<ScheduleRow>(ctx.pool, ctx.admin.scheduleGet, [name]);
  return row ? toSchedule(row) : null;
}

/** Every schedule, by name. */
export async function schedulesList(ctx: Ctx): Promise<ScheduleRecord[]> {
  return (await run<ScheduleRow>(ctx.pool, ctx.admin.schedulesList, [])).map(toSchedule);
}

/** Removes a schedule; false when there was none. */
export async function scheduleDelete(ctx: Ctx, { name }: { name: string }): Promise<boolean> {
  return (await run(ctx.pool, ctx.admin.scheduleDelete, [name])).length > 0;
}

/** Compare-and-set of the fire times. */
export async function scheduleFireClaim(
  ctx: Ctx,
  p: { name: string; expectedLastFireAt: Date | null; lastFireAt: Date | null; nextFireAt: Date | null },
): Promise<boolean> {
  const rows = await run(ctx.pool, ctx.admin.scheduleFireClaim, [
    p.name,
    p.expectedLastFireAt,
    p.lastFireAt,
    p.nextFireAt,
    new Date(ctx.clock.now()),
  ]);
  return rows.length > 0;
}
