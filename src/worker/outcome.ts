/**
 * Turns an attempt's outcome into its fenced write (completion, retry or failure) and the
 * worker event that follows: a cancel or lost lease writes nothing, a shutdown hands the job
 * back to run again at once. Progress reports are checked and recorded here too.
 */
import type { Backend, CompleteItem, FailItem } from '../backend/backend.js';
import { JobCancelledError, LeaseLostError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { completeItem, failItem, refusedItem } from '../core/outcome-items.js';
import { engineUnreachable } from '../core/outcome-writes.js';
import { validateProgress } from '../core/validate.js';
import type { AttemptAbort } from './attempt-abort.js';
import type { AttemptOutcome } from './attempt.js';
import { WorkerShutdownError } from './errors.js';
import type { ResolvedWorkerOptions } from './options.js';
import type { Reporter } from './reporter.js';
import type { WorkerEvents } from './types.js';

/** A job whose attempt runs on this worker. */
export interface Held {
  job: Job;
  /** Cuts the attempt short (its `signal` is the handler's `ctx.signal`). */
  abort: AttemptAbort;
  startedAt: number;
}

/** What recording needs from its worker. */
export interface OutcomeDeps {
  workerId: string;
  opts: Pick<ResolvedWorkerOptions, 'clock' | 'random'>;
  reporter: Reporter;
  /** Frees the job's slot and runs the write, the job still held until it returns. */
  write(job: Job, fn: () => Promise<boolean>): Promise<boolean>;
  /** The job is no longer held. */
  settle(id: string): void;
  notify<K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]): void;
}

/** Writes an attempt's outcome, fenced on the attempt the worker holds, then reports it. */
export async function recordOutcome(d: OutcomeDeps, h: Held, outcome: AttemptOutcome): Promise<void> {
  const { job } = h;
  const now = d.opts.clock.now();
  const durationMs = now - h.startedAt;
  const reporter = d.reporter;
  if (outcome.kind === 'completed') {
    const item = completeItem(job, d.workerId, outcome.result);
    let applied: boolean;
    try {
      applied = await d.write(job, () => reporter.complete(item));
    } catch (err) {
      return recordRefused(d, h, { item, err, what: 'result', durationMs });
    }
    if (applied) d.notify('job:completed', { job, result: outcome.result, durationMs });
    else d.notify('job:aborted', { job, reason: 'lease-lost', durationMs });
    return;
  }
  if (outcome.kind === 'aborted' && !(outcome.reason instanceof WorkerShutdownError)) {
    const reason = outcome.reason instanceof JobCancelledError ? 'cancelled' : 'lease-lost';
    d.settle(job.id);
    d.notify('job:aborted', { job, reason, durationMs });
    return;
  }
  const item = failItem({
    job,
    workerId: d.workerId,
    failure: outcome.kind === 'failed' ? outcome.error : outcome.reason,
    now,
    // A handed-back job runs again at once: shutdown is not the job's fault.
    retry: outcome.kind === 'aborted' ? 'now' : 'decide',
    random: d.opts.random,
  });
  let applied: boolean;
  try {
    applied = await d.write(job, () => reporter.fail(item));
  } catch (err) {
    return recordRefused(d, h, { item, err, what: 'failure', durationMs });
  }
  const { error, retryAt } = item;
  if (!applied) d.notify('job:aborted', { job, reason: 'lease-lost', durationMs });
  else if (retryAt) d.notify('job:retrying', { job, error, retryAt, durationMs });
  else d.notify('job:failed', { job, error, durationMs });
}

/**
 * The engine refused to store an outcome even on its own (the reporter writes a refused batch
 * one item at a time): the attempt fails without retry, with the engine's reason, once
 * (docs/architecture.md, "Limits"). An unreachable engine is no refusal: the error goes on, and
 * the job comes back after its lease.
 */
async function recordRefused(
  d: OutcomeDeps,
  h: Held,
  p: { item: CompleteItem | FailItem; err: unknown; what: 'result' | 'failure'; durationMs: number },
): Promise<void> {
  if (engineUnreachable(p.err)) throw p.err;
  const { job } = h;
  const refusal = refusedItem(p.item, p.err, { now: d.opts.clock.now(), what: p.what });
  if (await d.reporter.fail(refusal)) d.notify('job:failed', { job, error: refusal.error, durationMs: p.durationMs });
  else d.notify('job:aborted', { job, reason: 'lease-lost', durationMs: p.durationMs });
}

/** A handler's `ctx.progress`: checks the values, records them while the lease holds. */
export async function reportProgress(
  backend: Backend,
  d: OutcomeDeps,
  h: Held,
  percent: number,
  message?: string,
): Promise<void> {
  const progress = validateProgress(percent, message);
  if (h.abort.aborted) return;
  const holds = await backend.jobProgress({ id: h.job.id, workerId: d.workerId, progress });
  if (!holds) h.abort.abort(new LeaseLostError(h.job.id, d.workerId));
  else d.notify('job:progress', { job: h.job, progress });
}
