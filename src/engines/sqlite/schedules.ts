/** Stored schedules; the scheduler in the core interprets them. */
import type { ScheduleRecord } from '../../backend/backend.js';
import { rowToSchedule, scheduleParams, type ScheduleRow } from './rows.js';
import type { Store } from './store.js';

/** One schedule, or `null`. */
export function scheduleGet(s: Store, { name }: { name: string }): ScheduleRecord | null {
  const row = s.st.scheduleGet.get(name) as ScheduleRow | undefined;
  return row ? rowToSchedule(row) : null;
}

/** Creates or replaces a schedule; a replaced one keeps its `createdAt`. */
export function scheduleUpsert(s: Store, { schedule }: { schedule: ScheduleRecord }): ScheduleRecord {
  return s.write(() => {
    s.st.scheduleUpsert.run(scheduleParams(schedule));
    return rowToSchedule(s.st.scheduleGet.get(schedule.name) as ScheduleRow);
  });
}

/** Every schedule, by name. */
export function schedulesList(s: Store): ScheduleRecord[] {
  return (s.st.schedulesAll.all() as ScheduleRow[]).map(rowToSchedule);
}

/** Removes a schedule; false when there was none. */
export function scheduleDelete(s: Store, { name }: { name: string }): boolean {
  return s.write(() => s.st.scheduleDelete.run(name).changes > 0);
}

/** Compare-and-set of a fire: applies only while `lastFireAt` is still `expectedLastFireAt`. */
export function scheduleFireClaim(
  s: Store,
  p: { name: string; expectedLastFireAt: Date | null; lastFireAt: Date | null; nextFireAt: Date | null },
): boolean {
  const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
  return s.write(
    () =>
      s.st.scheduleFireClaim.run({
        name: p.name,
        expected: ms(p.expectedLastFireAt),
        last: ms(p.lastFireAt),
        next: ms(p.nextFireAt),
        now: s.now(),
      }).changes > 0,
  );
}
