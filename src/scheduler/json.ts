/** JSON form of schedules, shared by the CLI (`--json`) and the HTTP API. */
import type { ScheduleRecord } from '../backend/backend.js';

/** A schedule with its next fire times (what `ScheduleClient.list` returns). */
export interface ScheduleInfo extends ScheduleRecord {
  /** The next fire times, empty while paused. */
  nextFireTimes: Date[];
}

/** A schedule as JSON: times as ISO 8601 text. */
export type ScheduleJson = Omit<
  ScheduleInfo,
  'lastFireAt' | 'nextFireAt' | 'createdAt' | 'updatedAt' | 'nextFireTimes'
> & {
  lastFireAt: string | null;
  nextFireAt: string | null;
  createdAt: string;
  updatedAt: string;
  nextFireTimes?: string[];
};

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Converts a schedule (with or without next fire times) to its JSON form. */
export function scheduleToJson(s: ScheduleRecord | ScheduleInfo): ScheduleJson {
  const out: ScheduleJson = {
    name: s.name,
    spec: s.spec,
    timezone: s.timezone,
    template: s.template,
    paused: s.paused,
    misfire: s.misfire,
    lastFireAt: iso(s.lastFireAt),
    nextFireAt: iso(s.nextFireAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
  if ('nextFireTimes' in s) out.nextFireTimes = s.nextFireTimes.map((d) => d.toISOString());
  return out;
}
