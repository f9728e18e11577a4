/** Conversions between the `workers` and `schedules` rows and the core's records (times as ms). */
import type { ScheduleRecord, WorkerInfo } from '../../backend/backend.js';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** A `workers` row. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  queues: string;
  concurrency: number;
  running: string;
  kind: string | null;
  started_at: number;
  last_seen_at: number;
}

/** A row as `WorkerInfo`. */
export function rowToWorker(r: WorkerRow): WorkerInfo {
  const w: WorkerInfo = {
    id: r.id,
    host: r.host,
    pid: r.pid,
    queues: JSON.parse(r.queues),
    concurrency: r.concurrency,
    running: JSON.parse(r.running),
    startedAt: new Date(r.started_at),
    lastSeenAt: new Date(r.last_seen_at),
  };
  if (r.kind !== null) w.kind = r.kind;
  return w;
}

/** The named parameters of `workerUpsert`. */
export function workerParams(w: WorkerInfo): Record<string, unknown> {
  return {
    id: w.id,
    host: w.host,
    pid: w.pid,
    queues: JSON.stringify(w.queues),
    concurrency: w.concurrency,
    running: JSON.stringify(w.running),
    kind: w.kind ?? null,
    started_at: w.startedAt.getTime(),
    last_seen_at: w.lastSeenAt.getTime(),
  };
}

/** A `schedules` row. */
export interface ScheduleRow {
  name: string;
  spec: string;
  timezone: string | null;
  template: string;
  paused: number;
  misfire: ScheduleRecord['misfire'];
  last_fire_at: number | null;
  next_fire_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A row as `ScheduleRecord`. */
export function rowToSchedule(r: ScheduleRow): ScheduleRecord {
  return {
    name: r.name,
    spec: r.spec,
    timezone: r.timezone,
    template: JSON.parse(r.template),
    paused: r.paused === 1,
    misfire: r.misfire,
    lastFireAt: date(r.last_fire_at),
    nextFireAt: date(r.next_fire_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** The named parameters of `scheduleUpsert`. */
export function scheduleParams(s: ScheduleRecord): Record<string, unknown> {
  return {
    name: s.name,
    spec: s.spec,
    timezone: s.timezone,
    template: JSON.stringify(s.template),
    paused: s.paused ? 1 : 0,
    misfire: s.misfire,
    last_fire_at: s.lastFireAt ? s.lastFireAt.getTime() : null,
    next_fire_at: s.nextFireAt ? s.nextFireAt.getTime() : null,
    created_at: s.createdAt.getTime(),
    updated_at: s.updatedAt.getTime(),
  };
}
