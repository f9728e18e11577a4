/**
 * The job model and its state machine (docs/architecture.md, "States"). Only the transitions
 * listed in `TRANSITIONS` are possible; `assertTransition` is the one check every path goes
 * through, and its refusals read the same on every engine.
 */
import { InvalidTransitionError } from './errors.js';
import type { BackoffPolicy } from './backoff.js';

/** Every state a job can be in. */
export const JOB_STATES = [
  'scheduled',
  'queued',
  'running',
  'retrying',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;

/** A job's state. */
export type JobState = (typeof JOB_STATES)[number];

/** States in which a job still may run (and holds its unique key). */
export const LIVE_STATES: readonly JobState[] = ['scheduled', 'queued', 'running', 'retrying'];

/** States a job waits in before a worker claims it (counted by a queue's size cap). */
export const WAITING_STATES: readonly JobState[] = ['scheduled', 'queued', 'retrying'];

/** Final states: nothing happens to the job unless an operator retries it. */
export const FINAL_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'expired'];

/** States that pass their deadline become `expired`. */
export const EXPIRABLE_STATES: readonly JobState[] = ['scheduled', 'queued', 'retrying'];

/** The dead-letter view. */
export const DEAD_STATES: readonly JobState[] = ['failed', 'expired'];

/** The allowed transitions, `from -> to[]`. */
export const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  scheduled: ['queued', 'expired', 'cancelled'],
  queued: ['running', 'expired', 'cancelled'],
  running: ['completed', 'retrying', 'failed', 'cancelled'],
  retrying: ['queued', 'expired', 'cancelled'],
  completed: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
  expired: ['queued'],
};

/** True when `from -> to` is allowed. */
export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What a refused move into each state says the operator can do instead. */
const REFUSAL_HINTS: Partial<Record<JobState, string>> = {
  queued: 'only completed, failed, cancelled or expired jobs can be retried',
  cancelled: 'only scheduled, queued, running or retrying jobs can be cancelled',
};

/** The error of a refused transition, the same on every engine. */
export function transitionRefusal(id: string, from: JobState, to: JobState): InvalidTransitionError {
  return new InvalidTransitionError(id, from, to, REFUSAL_HINTS[to]);
}

/** Throws `InvalidTransitionError` unless `from -> to` is allowed. */
export function assertTransition(id: string, from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw transitionRefusal(id, from, to);
}

/** The error of a refused delete (a live job without `force`). */
export function deleteRefusal(id: string, state: JobState): InvalidTransitionError {
  return new InvalidTransitionError(
    id,
    state,
    'deleted',
    'only finished jobs (completed, failed, cancelled, expired) can be deleted; cancel it first, or delete it with force',
  );
}

/** Throws `InvalidTransitionError` unless a job in `state` may be deleted: a final one, or any with `force`. */
export function assertDeletable(id: string, state: JobState, force: boolean): void {
  if (!force && !isFinal(state)) throw deleteRefusal(id, state);
}

/**
 * True while `holder` keeps its unique key from other jobs at time `now`: while it is live, and
 * after it ended for its `uniqueWindowMs`. Engines that cannot ask their store this in a query
 * call it on the candidates; SQL engines state the same in their statements (live states from
 * `LIVE_STATES`, then `finishedAt + uniqueWindowMs > now`).
 */
export function uniqueKeyHeld(holder: Pick<Job, 'state' | 'finishedAt' | 'uniqueWindowMs'>, now: number): boolean {
  if (isLive(holder.state)) return true;
  if (holder.uniqueWindowMs === null || holder.finishedAt === null) return false;
  return holder.finishedAt.getTime() + holder.uniqueWindowMs > now;
}

/** States from which a transition to `to` is allowed (used to build engine `WHERE` clauses). */
export function statesInto(to: JobState): JobState[] {
  return JOB_STATES.filter((s) => TRANSITIONS[s].includes(to));
}

/** True for a live state. */
export function isLive(state: JobState): boolean {
  return LIVE_STATES.includes(state);
}

/** True for a final state. */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** Progress a handler reports. */
export interface JobProgress {
  /** 0 to 100. */
  percent: number;
  message?: string;
}

/** One failed attempt. */
export interface JobError {
  message: string;
  stack?: string;
  /** The attempt number that failed (1-based). */
  attempt: number;
  workerId?: string;
  /** When it failed. */
  at: Date;
  /** Error code, when the error had one (e.g. `TIMEOUT`, `LEASE_EXPIRED`). */
  code?: string;
}

/** An operator's retry of a finished job: when, from which state, after how many attempts. */
export interface JobRetry {
  /** When the job was retried. */
  at: Date;
  /** The final state it was retried from. */
  from: JobState;
  /** The attempts it had spent before (its attempt numbers start again at 1 after). */
  attempts: number;
}

/** A job as stored. */
export interface Job<P = unknown, R = unknown> {
  id: string;
  type: string;
  queue: string;
  payload: P;
  priority: number;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Most one attempt may run, in ms; `null` for no limit. */
  timeoutMs: number | null;
  runAt: Date;
  deadline: Date | null;
  uniqueKey: string | null;
  /** After the job ends, its unique key stays reserved this long (ms); `null` for not at all. */
  uniqueWindowMs: number | null;
  /**
   * Deleted instead of kept as `completed` when its handler returns; its `job.completed` event
   * carries the result. Failed, cancelled and expired jobs are kept as usual.
   */
  deleteOnComplete: boolean;
  progress: JobProgress | null;
  result: R | null;
  errors: JobError[];
  /** One entry per operator retry, oldest first. */
  retries: JobRetry[];
  workerId: string | null;
  leaseUntil: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  tags: string[];
  metadata: Record<string, unknown>;
}

/**
 * A validated job ready to be stored: what `validateEnqueue` makes and every engine's
 * `jobsEnqueue` takes. The engine sets the remaining fields to their initial values.
 */
export interface NewJob {
  id: string;
  type: string;
  queue: string;
  payload: unknown;
  priority: number;
  /** `queued` when due now, else `scheduled`. */
  state: 'queued' | 'scheduled';
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number | null;
  runAt: Date;
  deadline: Date | null;
  uniqueKey: string | null;
  uniqueWindowMs: number | null;
  deleteOnComplete: boolean;
  createdAt: Date;
  tags: string[];
  metadata: Record<string, unknown>;
  /**
   * `true` when Gantry generated the id for this request (a UUIDv7 from this process), so no
   * stored job can hold it yet and an engine may skip looking for one. `false` or absent: the id
   * may repeat an earlier enqueue's (idempotent enqueue), and the engine must check.
   */
  freshId?: boolean;
  /**
   * The fields the request left to Gantry's default: the engine gives them the queue's default
   * instead when the queue has one (the core's `applyQueueDefaults`). Absent: none.
   */
  defaulted?: readonly ('maxAttempts' | 'timeoutMs')[];
}

/**
 * The job a `NewJob` becomes when an engine stores it: no attempt yet, no holder, no outcome.
 * Engines return this from an enqueue instead of reading the row back. Spelled out key by key:
 * V8 builds `{ ...job, … }` with this many keys far slower.
 */
export function storedJob(j: NewJob): Job {
  return {
    id: j.id,
    type: j.type,
    queue: j.queue,
    payload: j.payload ?? null,
    priority: j.priority,
    state: j.state,
    attempts: 0,
    maxAttempts: j.maxAttempts,
    backoff: j.backoff,
    timeoutMs: j.timeoutMs,
    runAt: j.runAt,
    deadline: j.deadline,
    uniqueKey: j.uniqueKey,
    uniqueWindowMs: j.uniqueWindowMs,
    deleteOnComplete: j.deleteOnComplete,
    progress: null,
    result: null,
    errors: [],
    retries: [],
    workerId: null,
    leaseUntil: null,
    createdAt: j.createdAt,
    startedAt: null,
    finishedAt: null,
    tags: j.tags,
    metadata: j.metadata,
  };
}

/**
 * A job deleted on completion (`deleteOnComplete`) as it ended: `completed`, with the result its
 * `job.completed` event carried. What a reader shows once the row is gone.
 */
export function completedJob(job: Job, result: unknown, finishedAt: Date): Job {
  return { ...job, state: 'completed', result: result ?? null, leaseUntil: null, finishedAt };
}

/**
 * The claim order of `claimOrder: 'total'` within one queue: priority desc, then `runAt` asc,
 * then id asc. For sorting what a claim took, where the store does not keep its order.
 */
export function compareClaimOrder(a: Job, b: Job): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
