/**
 * One attempt of one job: the middleware chain around the handler, the timeout on the clock,
 * and the race between the handler and its `AbortSignal`. Whatever fires first decides the
 * outcome; a handler that ignores its signal is abandoned and its late result dropped.
 */
import type { Clock } from '../core/clock.js';
import { JobTimeoutError } from '../core/errors.js';
import { unstorableResult } from '../core/outcome-items.js';
import type { Job } from '../core/job.js';
import { checkResult } from '../core/validate.js';
import type { AttemptAbort } from './attempt-abort.js';
import { UnknownJobTypeError } from './errors.js';
import { bindLogger } from './logger.js';
import type { Handler, JobContext, Logger, Middleware } from './types.js';

/** How an attempt ended, before the worker records it. */
export type AttemptOutcome =
  | { kind: 'completed'; result: unknown }
  /** The handler threw, its result cannot be stored, or it timed out: the retry rule decides. */
  | { kind: 'failed'; error: unknown }
  /** Cut short from outside (cancel, lost lease, shutdown); `reason` is the signal's reason. */
  | { kind: 'aborted'; reason: unknown };

/** What an attempt needs from its worker. */
export interface AttemptDeps {
  clock: Clock;
  handlers: ReadonlyMap<string, Handler>;
  middleware: readonly Middleware[];
}

/**
 * The `ctx` of a handler. Its signal and its job-bound logger are made only if the handler
 * reads them: most short jobs never do, and making them was a good part of a job's cost. A
 * class, so the two getters live on its prototype: an object literal with getters made two
 * closures and a dictionary-mode object per job.
 */
class AttemptContext implements JobContext {
  readonly #job: Job;
  readonly #abort: AttemptAbort;
  readonly #logger: Logger;
  #log: Logger | undefined;

  constructor(
    job: Job,
    abort: AttemptAbort,
    readonly workerId: string,
    logger: Logger,
    readonly progress: JobContext['progress'],
  ) {
    this.#job = job;
    this.#abort = abort;
    this.#logger = logger;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get log(): Logger {
    const job = this.#job;
    return (this.#log ??= bindLogger(this.#logger, {
      jobId: job.id,
      type: job.type,
      attempt: job.attempts,
      workerId: this.workerId,
    }));
  }
}

/** The `ctx` of one attempt of `job` (see `AttemptContext`). */
export function jobContext(
  job: Job,
  abort: AttemptAbort,
  workerId: string,
  logger: Logger,
  progress: JobContext['progress'],
): JobContext {
  return new AttemptContext(job, abort, workerId, logger, progress);
}

/**
 * Runs `job` once with `ctx` (whose signal is `abort`'s); never rejects. Whichever settles
 * first, the handler or the abort, decides; one promise and no race, since a short job's
 * promises were a good part of the worker's own time and garbage.
 */
export function runAttempt(job: Job, ctx: JobContext, abort: AttemptAbort, deps: AttemptDeps): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve) => {
    const timeoutMs = job.timeoutMs;
    const cancelTimeout =
      timeoutMs !== null && timeoutMs > 0
        ? deps.clock.setTimeout(() => abort.abort(new JobTimeoutError(timeoutMs)), timeoutMs)
        : undefined;
    let settled = false;
    const finish = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      cancelTimeout?.();
      resolve(outcome);
    };
    abort.onAbort((reason) => finish(fromAbort(reason)));
    // The handler starts on a later microtask, never inside the caller's loop.
    Promise.resolve()
      .then(() => compose(job, ctx, deps))
      .then(
        (value) => {
          if (abort.aborted) return finish(fromAbort(abort.reason));
          const result = value === undefined ? null : value;
          try {
            checkResult(result);
          } catch (cause) {
            return finish({ kind: 'failed', error: unstorableResult(cause) });
          }
          finish({ kind: 'completed', result });
        },
        (error: unknown) => finish(abort.aborted ? fromAbort(abort.reason) : { kind: 'failed', error }),
      );
  });
}

/** A timeout is the attempt's own failure; every other abort comes from outside. */
function fromAbort(reason: unknown): AttemptOutcome {
  return reason instanceof JobTimeoutError ? { kind: 'failed', error: reason } : { kind: 'aborted', reason };
}

/**
 * Calls the middleware outermost first, the handler innermost. Called inside a `then`, so a
 * throw is a rejection either way; without middleware the handler is called directly (no
 * async frame and promise of our own per job).
 */
function compose(job: Job, ctx: JobContext, deps: AttemptDeps): unknown {
  if (deps.middleware.length === 0) return handlerOf(job, deps)(job, ctx);
  const dispatch = async (i: number): Promise<unknown> => {
    const mw = deps.middleware[i];
    if (mw) return mw(job, ctx, () => dispatch(i + 1));
    return handlerOf(job, deps)(job, ctx);
  };
  return dispatch(0);
}

/** The handler of the job's type; `UnknownJobTypeError` when there is none. */
function handlerOf(job: Job, deps: AttemptDeps): Handler {
  const handler = deps.handlers.get(job.type);
  if (!handler) throw new UnknownJobTypeError(job.type, [...deps.handlers.keys()]);
  return handler;
}
