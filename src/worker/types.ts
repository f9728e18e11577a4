/**
 * The public shapes of the worker runtime: handlers, their context, middleware and options.
 * The `Worker` class (worker.ts) implements them.
 */
import type { Backend } from '../backend/backend.js';
import type { Clock } from '../core/clock.js';
import type { Job, JobError, JobProgress } from '../core/job.js';

/** The minimal logger Gantry writes to (pino's shape). */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** What a handler gets besides its job. */
export interface JobContext {
  /** Fires on timeout, cancel, lost lease or shutdown; pass it to fetch() and friends. */
  signal: AbortSignal;
  /** Reports progress (0–100) with an optional message; visible live in events and the dashboard. */
  progress(percent: number, message?: string): Promise<void>;
  /** A logger bound to the job (`jobId`, `type`, `attempt`). */
  log: Logger;
  /** The id of the worker running the job. */
  workerId: string;
}

/** A job handler: its return value (JSON) is the job's result; a throw fails the attempt. */
export type Handler<P = unknown, R = unknown> = (job: Job<P>, ctx: JobContext) => R | Promise<R>;

/** A map of job type to handler, e.g. the default export of a `--handlers` module. */
export type Handlers = Record<string, Handler<never, unknown>>;

/** Wraps every handler call; call `next()` to run the handler (or the next middleware). */
export type Middleware = (job: Job, ctx: JobContext, next: () => Promise<unknown>) => Promise<unknown>;

/** Options of a `Worker`. Every number has a default in core/constants.ts. */
export interface WorkerOptions {
  /** The engine; give `backend` or `url` (default `GANTRY_URL` or sqlite:./gantry.db). */
  backend?: Backend;
  url?: string;
  clock?: Clock;
  /**
   * Queues and their weights (`{critical: 6, default: 3, low: 1}`), or names. A queue without a
   * weight (a name, or `null`) takes the queue's own setting (`weight`, see `client.setQueue`)
   * when the worker starts, else 1. Default `['default']`.
   */
  queues?: Record<string, number | null> | string[];
  /** Jobs run at once. */
  concurrency?: number;
  /**
   * Most jobs claimed ahead of free slots and held (leases renewed) until a slot frees, taken
   * only from queues without a concurrency cap; the buffer grows only while jobs finish faster
   * than claims return, and is handed back on stop without spending an attempt. Default
   * max(concurrency, 500) (`DEFAULT_PREFETCH`), or max(concurrency, 100) on an engine whose
   * claims run in-process (SQLite, `DEFAULT_LOCAL_PREFETCH`); 0 claims only for free slots.
   */
  prefetch?: number;
  /** Lease of a claim, ms; renewed every third of it. */
  leaseMs?: number;
  /** On stop: how long running jobs may finish before they are aborted and handed back, ms. */
  shutdownTimeoutMs?: number;
  /** Fallback poll interval, ms. */
  pollMs?: number;
  /** Heartbeat interval, ms. */
  heartbeatMs?: number;
  /** Handlers by job type (more with `handle()`). */
  handlers?: Handlers;
  /** Middleware, outermost first (more with `use()`). */
  middleware?: Middleware[];
  /** Worker id; default `host:pid:random`. */
  id?: string;
  logger?: Logger;
  /**
   * Claim only the job types this worker has handlers for (default false: a job of an
   * unknown type is claimed and its attempt fails with `UNKNOWN_JOB_TYPE`, so a typo shows).
   */
  onlyRegisteredTypes?: boolean;
  /** Random source of backoff jitter (tests pin it). */
  random?: () => number;
}

/** What a worker reports about the jobs it runs; `durationMs` is measured on the clock. */
export interface WorkerEvents {
  /** Registered and claiming. */
  'worker:started': { workerId: string };
  /** Stopping: claiming has ended and `running` jobs get `shutdownTimeoutMs` to finish. */
  'worker:draining': { workerId: string; running: string[]; shutdownTimeoutMs: number };
  /** Deregistered; nothing runs any more. */
  'worker:stopped': { workerId: string };
  /** A claimed job's handler begins. */
  'job:started': { job: Job };
  /** The handler returned and the result was recorded. */
  'job:completed': { job: Job; result: unknown; durationMs: number };
  /** The attempt failed and the job will run again at `retryAt`. */
  'job:retrying': { job: Job; error: JobError; retryAt: Date; durationMs: number };
  /** The attempt failed and no attempt is left (or the error was unrecoverable). */
  'job:failed': { job: Job; error: JobError; durationMs: number };
  /** The handler reported progress. */
  'job:progress': { job: Job; progress: JobProgress };
  /** The attempt was cut short and its outcome dropped: cancelled, or the lease was lost. */
  'job:aborted': { job: Job; reason: 'cancelled' | 'lease-lost'; durationMs: number };
  /** A backend call failed; the worker carries on (claims back off by `pollMs`). */
  error: { error: unknown; during: string };
  /**
   * A call found the engine unreachable (the first of an outage): the worker keeps trying, its
   * claims backing off up to `ENGINE_RETRY_MAX_MS`, while running jobs go on.
   */
  'engine:down': { error: unknown; during: string; since: Date };
  /** A call reached the engine again after an outage of `downMs`. */
  'engine:up': { downMs: number };
}
