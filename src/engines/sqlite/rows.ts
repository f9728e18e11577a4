/** Conversions between table rows and the core's records. Times are stored as ms integers. */
import type { ScheduleRecord, WorkerInfo } from '../../backend/backend.js';
import { jobEvent, type EventType, type GantryEvent } from '../../core/events.js';
import type { Job, JobError, JobState, NewJob } from '../../core/job.js';

/** A `jobs` row as SQLite returns it. */
export interface JobRow {
  id: string;
  type: string;
  queue: string;
  payload: string;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  backoff: string;
  timeout_ms: number | null;
  run_at: number;
  deadline: number | null;
  unique_key: string | null;
  unique_window_ms: number | null;
  progress: string | null;
  result: string | null;
  errors: string;
  worker_id: string | null;
  lease_until: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  tags: string;
  metadata: string;
}

/** The few columns an event needs (what the batch statements return). */
export interface JobEventRow {
  id: string;
  type: string;
  queue: string;
  state: JobState;
  attempts: number;
  worker_id: string | null;
}

/** The event of a change to a row (`worker_id` becomes the event's `workerId`). */
export function rowEvent(
  r: JobEventRow,
  type: EventType,
  at: number,
  extra: Partial<Pick<GantryEvent, 'progress' | 'error' | 'workerId'>> = {},
): GantryEvent {
  return jobEvent(
    { id: r.id, type: r.type, queue: r.queue, state: r.state, attempts: r.attempts, workerId: r.worker_id },
    type,
    at,
    extra,
  );
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Parses JSON text, skipping the parser for the empty values most rows hold. */
function json<T>(text: string | null, empty: T): T {
  if (text === null) return empty;
  if (text === '[]' && Array.isArray(empty)) return [] as T;
  if (text === '{}') return {} as T;
  return JSON.parse(text) as T;
}

interface StoredError extends Omit<JobError, 'at'> {
  at: number;
}

/** Stores an error with its time as ms. */
export function errorText(e: JobError): string {
  const stored: StoredError = { ...e, at: e.at.getTime() };
  return JSON.stringify(stored);
}

/** A row as a `Job`. */
export function rowToJob(r: JobRow): Job {
  return {
    id: r.id,
    type: r.type,
    queue: r.queue,
    payload: JSON.parse(r.payload),
    priority: r.priority,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    backoff: JSON.parse(r.backoff),
    timeoutMs: r.timeout_ms,
    runAt: new Date(r.run_at),
    deadline: date(r.deadline),
    uniqueKey: r.unique_key,
    uniqueWindowMs: r.unique_window_ms,
    progress: json(r.progress, null),
    result: json(r.result, null),
    errors: json<StoredError[]>(r.errors, []).map((e) => ({ ...e, at: new Date(e.at) })),
    workerId: r.worker_id,
    leaseUntil: date(r.lease_until),
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    tags: json(r.tags, []),
    metadata: json(r.metadata, {}),
  };
}

/** The named parameters of `jobInsert`. */
export function newJobParams(j: NewJob): Record<string, unknown> {
  return {
    id: j.id,
    type: j.type,
    queue: j.queue,
    payload: JSON.stringify(j.payload ?? null),
    priority: j.priority,
    state: j.state,
    max_attempts: j.maxAttempts,
    backoff: JSON.stringify(j.backoff),
    timeout_ms: j.timeoutMs,
    run_at: j.runAt.getTime(),
    deadline: j.deadline ? j.deadline.getTime() : null,
    unique_key: j.uniqueKey,
    unique_window_ms: j.uniqueWindowMs,
    created_at: j.createdAt.getTime(),
    tags: JSON.stringify(j.tags),
    metadata: JSON.stringify(j.metadata),
  };
}

/** The job a `NewJob` becomes when stored (what `jobInsert` writes). */
export function newJobToJob(j: NewJob): Job {
  return {
    ...j,
    payload: j.payload ?? null,
    attempts: 0,
    progress: null,
    result: null,
    errors: [],
    workerId: null,
    leaseUntil: null,
    startedAt: null,
    finishedAt: null,
  };
}

/** Sorts claimed jobs into claim order: priority desc, runAt asc, id asc. */
export function claimOrder(a: Job, b: Job): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

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
