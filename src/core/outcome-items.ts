/**
 * The fenced writes that end an attempt, built once for every part of Gantry that ends one: the
 * worker (its handler returned, threw or timed out, or it stops), the HTTP worker routes (a
 * worker in another language reports) and maintenance (a lease expired). Each carries the
 * worker and attempt it is fenced on; a failure carries its error entry and the retry rule's
 * decision.
 */
import type { CompleteItem, FailItem } from '../backend/backend.js';
import { UnstorableError } from './errors.js';
import type { Job } from './job.js';
import { decideRetry, errorMessage, toJobError, type RetryJobFields } from './retry.js';

/** The job fields an attempt's end reads. */
type AttemptJob = Pick<Job, 'id' | 'attempts' | 'deleteOnComplete'> & RetryJobFields;

/** The completion of `job`'s current attempt with `result`; a job enqueued with `deleteOnComplete` is deleted. */
export function completeItem(job: AttemptJob, workerId: string, result: unknown): CompleteItem {
  const item: CompleteItem = { id: job.id, workerId, attempt: job.attempts, result };
  if (job.deleteOnComplete) item.delete = true;
  return item;
}

/**
 * The failure of `job`'s current attempt. `failure` is what went wrong: a thrown value, or an
 * error-like `{ message, stack?, code? }` reported over HTTP. `retry` says who decides whether
 * the job runs again: `decide`, the retry rule (`decideRetry`, which honours unrecoverable
 * errors and the attempt budget); `never`, fail it now (a dead letter); `now`, run it again at
 * once (the attempt was handed back, which is not the job's fault).
 */
export function failItem(p: {
  job: AttemptJob;
  workerId: string;
  failure: unknown;
  now: number;
  retry?: 'decide' | 'never' | 'now';
  random?: () => number;
  /** The error entry's code when `failure` has none of its own (e.g. `LEASE_EXPIRED`). */
  code?: string;
}): FailItem {
  const { job, workerId, now } = p;
  const error = toJobError(p.failure, { attempt: job.attempts, workerId, now, ...(p.code ? { code: p.code } : {}) });
  const retryAt =
    p.retry === 'now'
      ? new Date(now)
      : p.retry === 'never'
        ? null
        : decideRetry(job, now, p.failure, p.random ?? Math.random).retryAt;
  return { id: job.id, workerId, attempt: job.attempts, error, retryAt };
}

/**
 * The failure maintenance writes for a running job whose lease expired: fenced on the holder
 * that stopped renewing it, retried or failed by the retry rule.
 */
export function leaseExpiredItem(
  job: AttemptJob & Pick<Job, 'workerId'>,
  now: number,
  random?: () => number,
): FailItem {
  const holder = job.workerId ?? '';
  const message = `lease expired: worker ${holder || '(unknown)'} stopped renewing attempt ${job.attempts} (it crashed, hung or lost the engine) before it finished`;
  const item = failItem({
    job,
    workerId: holder,
    failure: message,
    now,
    code: 'LEASE_EXPIRED',
    ...(random ? { random } : {}),
  });
  if (!holder) delete item.error.workerId;
  return item;
}

/**
 * The failure of an attempt whose handler returned a result that cannot be stored (`cause`,
 * from `checkResult`): not retried, since the handler already ran to the end and would repeat
 * its side effects to return the same value.
 */
export function unstorableResult(cause: unknown): UnstorableError {
  return new UnstorableError(
    `the handler's result cannot be stored: ${errorMessage(cause)}; the job is failed without retry, since its handler already ran (return a smaller value, or store it elsewhere and return a reference)`,
    { cause },
  );
}

/**
 * The failure written in place of an outcome item (`item`: a completion or a failure) that the
 * engine refused to store even on its own, for `reason`: fenced on the same attempt, and never
 * retried, since the same write would be refused again and the handler already ran
 * (docs/architecture.md, "Limits"). Its error is an `UnstorableError` carrying the reason.
 */
export function refusedItem(
  item: Pick<FailItem, 'id' | 'workerId' | 'attempt'>,
  reason: unknown,
  p: { now: number; what: 'result' | 'failure' },
): FailItem {
  const { now, what } = p;
  const failure = new UnstorableError(
    `the engine refused to store attempt ${item.attempt}'s ${what}: ${errorMessage(reason)}; the job is failed without retry so that it blocks no other job (fix the cause, then retry the job)`,
    { cause: reason },
  );
  const error = toJobError(failure, {
    attempt: item.attempt,
    now,
    ...(item.workerId ? { workerId: item.workerId } : {}),
  });
  delete error.stack;
  return { id: item.id, workerId: item.workerId, attempt: item.attempt, error, retryAt: null };
}
