/**
 * Lifecycle events (docs/architecture.md, "Events"). Every state change is one event; which
 * event a change emits and which events wake workers are decided here, for every engine.
 */
import { MAX_EVENT_RESULT_BYTES } from './constants.js';
import type { JobProgress, JobState } from './job.js';

/** Every event type. */
export const EVENT_TYPES = [
  'job.enqueued',
  'job.started',
  'job.progress',
  'job.completed',
  'job.failed',
  'job.retrying',
  'job.cancelled',
  'job.expired',
  'job.deleted',
  'worker.joined',
  'worker.left',
  'queue.paused',
  'queue.resumed',
  'queue.updated',
  'schedule.fired',
] as const;

/** An event type. */
export type EventType = (typeof EVENT_TYPES)[number];

/** The state each job event moves the job into. */
export const EVENT_FOR_STATE: Readonly<Partial<Record<JobState, EventType>>> = {
  scheduled: 'job.enqueued',
  queued: 'job.enqueued',
  running: 'job.started',
  completed: 'job.completed',
  failed: 'job.failed',
  retrying: 'job.retrying',
  cancelled: 'job.cancelled',
  expired: 'job.expired',
};

/**
 * True for the events that wake the workers of `e.queue`: a job became `queued` (enqueued due,
 * promoted, retried or handed back), a queue resumed, or its caps changed. Engines wake on
 * exactly these, whatever made them.
 */
export function wakesWorkers(e: Pick<GantryEvent, 'type' | 'state'>): boolean {
  return (
    (e.type === 'job.enqueued' && e.state === 'queued') || e.type === 'queue.resumed' || e.type === 'queue.updated'
  );
}

/** The event types `wakesWorkers` can be true for (engines that route events by type listen to these). */
export const WAKING_EVENT_TYPES: readonly EventType[] = ['job.enqueued', 'queue.resumed', 'queue.updated'];

/** The job states whose `job.enqueued` event wakes workers (see `wakesWorkers`), for engines that select them in a query. */
export const WAKING_STATES: readonly JobState[] = ['queued'];

/** One event, small enough for any engine's pub/sub (PostgreSQL NOTIFY takes 8000 bytes). */
export interface GantryEvent {
  /** Engine-assigned, increasing where the engine allows (used for SSE `Last-Event-ID`). */
  seq?: string;
  type: EventType;
  /** When it happened, ms since the epoch. */
  at: number;
  jobId?: string;
  jobType?: string;
  queue?: string;
  state?: JobState;
  attempt?: number;
  workerId?: string;
  progress?: JobProgress;
  /** Error message for `job.failed` / `job.retrying`. */
  error?: string;
  /**
   * The handler's result, on `job.completed`: whole for a job deleted on completion
   * (`deleteOnComplete`: the event is the only place it is left), else when its JSON text is at
   * most `MAX_EVENT_RESULT_BYTES` (see `completedResult`). Absent when the result was `null`.
   */
  result?: unknown;
  /** On `job.completed`: the result was over `MAX_EVENT_RESULT_BYTES` and left out; read the job for it. */
  resultTruncated?: true;
  /** Schedule name for `schedule.fired`. */
  schedule?: string;
}

/** Which events a subscriber wants; every field narrows. */
export interface EventFilter {
  types?: EventType[];
  queues?: string[];
  jobTypes?: string[];
  jobId?: string;
}

/** True when `e` passes `f`. */
export function eventMatches(e: GantryEvent, f: EventFilter | undefined): boolean {
  if (!f) return true;
  if (f.types?.length && !f.types.includes(e.type)) return false;
  if (f.queues?.length && (!e.queue || !f.queues.includes(e.queue))) return false;
  if (f.jobTypes?.length && (!e.jobType || !f.jobTypes.includes(e.jobType))) return false;
  if (f.jobId && e.jobId !== f.jobId) return false;
  return true;
}

/**
 * Which job field each job field of an event carries (`jobEvent` builds them so): engines that
 * build events in their store (PostgreSQL, in SQL) derive their mapping from this.
 */
export const EVENT_JOB_FIELDS = {
  jobId: 'id',
  jobType: 'type',
  queue: 'queue',
  state: 'state',
  attempt: 'attempts',
  workerId: 'workerId',
} as const satisfies Partial<Record<keyof GantryEvent, keyof EventJobFields>>;

/** The job fields an event carries: a `Job` has them, and so may an engine's changed row. */
export interface EventJobFields {
  id: string;
  type: string;
  queue: string;
  state: JobState;
  attempts: number;
  workerId?: string | null;
}

/** Builds the event of a job's change, for engines to emit. */
export function jobEvent(
  job: EventJobFields,
  type: EventType,
  at: number,
  extra?: Partial<Pick<GantryEvent, 'progress' | 'error' | 'workerId' | 'result' | 'resultTruncated'>>,
): GantryEvent {
  const e: GantryEvent = {
    type,
    at,
    jobId: job.id,
    jobType: job.type,
    queue: job.queue,
    state: job.state,
    attempt: job.attempts,
  };
  if (job.workerId) e.workerId = job.workerId;
  // Assigned in place: spreading into a new object costs far more, and a job makes three events.
  if (extra) Object.assign(e, extra);
  return e;
}

const utf8 = new TextEncoder();

/**
 * True when a result whose JSON text is `json` fits in a `job.completed` event (at most
 * `MAX_EVENT_RESULT_BYTES` bytes of UTF-8). Engines that send results as JSON text measure that.
 */
export function resultFitsEvent(json: string): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8 and at least 1: most results need no exact count.
  if (json.length * 3 <= MAX_EVENT_RESULT_BYTES) return true;
  if (json.length > MAX_EVENT_RESULT_BYTES) return false;
  // TextEncoder, not Buffer: the core is imported by the dashboard too.
  return utf8.encode(json).length <= MAX_EVENT_RESULT_BYTES;
}

/**
 * What the `job.completed` event of a kept job says of its `result` (`json`: its JSON text when
 * the caller has it): the result when it fits (`resultFitsEvent`), `resultTruncated` when it
 * does not, nothing for a `null` result.
 */
export function completedResult(
  result: unknown,
  json?: string,
): Pick<GantryEvent, 'result'> | Pick<GantryEvent, 'resultTruncated'> | undefined {
  if (result === null || result === undefined) return undefined;
  return resultFitsEvent(json ?? JSON.stringify(result)) ? { result } : { resultTruncated: true };
}
