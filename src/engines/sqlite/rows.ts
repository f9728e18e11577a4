/** Conversions between table rows and the core's records. Times are stored as ms integers. */
import type { ScheduleRecord, WorkerInfo } from '../../backend/backend.js';
import { jobEvent, type EventType, type GantryEvent } from '../../core/events.js';
import type { Job, JobError, JobState, NewJob } from '../../core/job.js';

/**
 * The `jobs` columns in table order: job rows are read in better-sqlite3's raw mode (arrays),
 * which costs a fraction of building a 24-key object per row. `prepareStatements` checks
 * that every raw statement returns exactly these columns.
 */
export const JOB_COLUMNS = [
  'id',
  'type',
  'queue',
  'payload',
  'priority',
  'state',
  'attempts',
  'max_attempts',
  'backoff',
  'timeout_ms',
  'run_at',
  'deadline',
  'unique_key',
  'unique_window_ms',
  'progress',
  'result',
  'errors',
  'worker_id',
  'lease_until',
  'created_at',
  'started_at',
  'finished_at',
  'tags',
  'metadata',
  'delete_on_complete',
] as const;

/** A raw `jobs` row: its values in `JOB_COLUMNS` order. */
export type RawJob = unknown[];

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
  extra: Partial<Pick<GantryEvent, 'progress' | 'error' | 'workerId' | 'result'>> = {},
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

const n = (v: unknown): number | null => (v === null ? null : (v as number));

/** A raw row as a `Job`. */
export function readJob(a: RawJob): Job {
  return {
    id: a[0] as string,
    type: a[1] as string,
    queue: a[2] as string,
    payload: JSON.parse(a[3] as string),
    priority: a[4] as number,
    state: a[5] as JobState,
    attempts: a[6] as number,
    maxAttempts: a[7] as number,
    backoff: JSON.parse(a[8] as string),
    timeoutMs: n(a[9]),
    runAt: new Date(a[10] as number),
    deadline: date(n(a[11])),
    uniqueKey: a[12] as string | null,
    uniqueWindowMs: n(a[13]),
    deleteOnComplete: a[24] === 1,
    progress: json(a[14] as string | null, null),
    result: json(a[15] as string | null, null),
    errors: json<StoredError[]>(a[16] as string, []).map((e) => ({ ...e, at: new Date(e.at) })),
    workerId: a[17] as string | null,
    leaseUntil: date(n(a[18])),
    createdAt: new Date(a[19] as number),
    startedAt: date(n(a[20])),
    finishedAt: date(n(a[21])),
    tags: json(a[22] as string, []),
    metadata: json(a[23] as string, {}),
  };
}

/** What the claim statement sets, known before it runs. */
export interface ClaimedBy {
  queue: string;
  workerId: string;
  /** ms; each job gets its own Date. */
  leaseUntil: number;
  startedAt: number;
}

/**
 * A job the claim statement returned: its JSON array (see `CLAIMED` in statements.ts) and
 * the values the claim set. Built key by key in `readJob`'s order, so every Job has one shape.
 */
export function readClaimed(text: string, by: ClaimedBy): Job {
  const a = JSON.parse(text) as unknown[];
  return {
    id: a[0] as string,
    type: a[1] as string,
    queue: by.queue,
    payload: a[2],
    priority: a[3] as number,
    state: 'running',
    attempts: a[4] as number,
    maxAttempts: a[5] as number,
    backoff: a[6] as Job['backoff'],
    timeoutMs: n(a[7]),
    runAt: new Date(a[8] as number),
    deadline: date(n(a[9])),
    uniqueKey: a[10] as string | null,
    uniqueWindowMs: n(a[11]),
    deleteOnComplete: a[19] === 1,
    progress: a[12] as Job['progress'],
    result: a[13],
    errors: (a[14] as StoredError[]).map((e) => ({ ...e, at: new Date(e.at) })),
    workerId: by.workerId,
    leaseUntil: new Date(by.leaseUntil),
    createdAt: new Date(a[15] as number),
    startedAt: new Date(by.startedAt),
    finishedAt: date(n(a[16])),
    tags: a[17] as string[],
    metadata: a[18] as Record<string, unknown>,
  };
}

/**
 * The values of `jobInsert`, in its column order. Positional, not named: binding 17 named
 * parameters cost a third of an insert.
 */
export function newJobValues(j: NewJob): unknown[] {
  return [
    j.id,
    j.type,
    j.queue,
    JSON.stringify(j.payload ?? null),
    j.priority,
    j.state,
    j.maxAttempts,
    JSON.stringify(j.backoff),
    j.timeoutMs,
    j.runAt.getTime(),
    j.deadline ? j.deadline.getTime() : null,
    j.uniqueKey,
    j.uniqueWindowMs,
    j.deleteOnComplete ? 1 : 0,
    j.createdAt.getTime(),
    JSON.stringify(j.tags),
    JSON.stringify(j.metadata),
  ];
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
