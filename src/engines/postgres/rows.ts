/** Conversions between the `workers` and `schedules` rows and Gantry's records. */
import type { ScheduleRecord, WorkerInfo } from '../../backend/backend.js';

/** A row of the workers table. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  queues: { name: string; weight: number }[];
  concurrency: number;
  running: string[];
  kind: string | null;
  started_at: Date;
  last_seen_at: Date;
}

/** A worker row → `WorkerInfo`. */
export function toWorker(r: WorkerRow): WorkerInfo {
  const w: WorkerInfo = {
    id: r.id,
    host: r.host,
    pid: r.pid,
    queues: r.queues,
    concurrency: r.concurrency,
    running: r.running ?? [],
    startedAt: r.started_at,
    lastSeenAt: r.last_seen_at,
  };
  if (r.kind !== null) w.kind = r.kind;
  return w;
}

/** A row of the schedules table. */
export interface ScheduleRow {
  name: string;
  spec: string;
  timezone: string | null;
  template: ScheduleRecord['template'];
  paused: boolean;
  misfire: ScheduleRecord['misfire'];
  last_fire_at: Date | null;
  next_fire_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A schedule row → `ScheduleRecord`. */
export function toSchedule(r: ScheduleRow): ScheduleRecord {
  return {
    name: r.name,
    spec: r.spec,
    timezone: r.timezone,
    template: r.template,
    paused: r.paused,
    misfire: r.misfire,
    lastFireAt: r.last_fire_at,
    nextFireAt: r.next_fire_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
