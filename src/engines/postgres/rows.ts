/** Conversions between PostgreSQL rows and Gantry records. */
import type { ScheduleRecord, StateCounts, WorkerInfo } from '../../backend/backend.js';
import type { BackoffPolicy } from '../../core/backoff.js';
import { JOB_STATES, type Job, type JobError, type JobProgress, type JobState } from '../../core/job.js';

/** A row of the jobs table as `pg` returns it. */
export interface JobRow {
  id: string;
  type: string;
  queue: string;
  payload: unknown;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  backoff: BackoffPolicy;
  timeout_ms: string | null;
  run_at: Date;
  deadline: Date | null;
  unique_key: string | null;
  unique_window_ms: string | null;
  delete_on_complete: boolean;
  progress: JobProgress | null;
  result: unknown;
  errors: (Omit<JobError, 'at'> & { at: string })[];
  worker_id: string | null;
  lease_until: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  tags: string[];
  metadata: Record<string, unknown>;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** A row's stored errors → `JobError`s (times stored as ISO text). */
export function errorsOf(errors: JobRow['errors'] | null): JobError[] {
  return errors && errors.length > 0 ? errors.map((e) => ({ ...e, at: new Date(e.at) })) : [];
}

/** A job row → `Job`. */
export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    type: r.type,
    queue: r.queue,
    payload: r.payload,
    priority: r.priority,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    backoff: r.backoff,
    timeoutMs: num(r.timeout_ms),
    runAt: r.run_at,
    deadline: r.deadline,
    uniqueKey: r.unique_key,
    uniqueWindowMs: num(r.unique_window_ms),
    deleteOnComplete: r.delete_on_complete,
    progress: r.progress,
    result: r.result ?? null,
    errors: errorsOf(r.errors),
    workerId: r.worker_id,
    leaseUntil: r.lease_until,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    tags: r.tags ?? [],
    metadata: r.metadata ?? {},
  };
}

/** A job error as stored JSON text (times as ISO text). */
export function errorJson(e: JobError): string {
  return JSON.stringify({ ...e, at: e.at.toISOString() });
}

/** JSON text of a value for a jsonb parameter; `undefined` is stored as JSON null. */
export function json(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}

/** Counts with every state present. */
export function zeroCounts(): StateCounts {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;
}

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
