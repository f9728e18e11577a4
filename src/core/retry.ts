/**
 * The one rule that decides, after an attempt failed, whether the job runs again and when.
 * The worker (handler threw, timed out) and maintenance (lease expired) both ask here, so a
 * failure means the same thing whichever part of Gantry noticed it.
 */
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { GantryError } from './errors.js';
import type { JobError } from './job.js';
import { storableText } from './validate-values.js';

/** The job fields the retry rule reads. */
export interface RetryJobFields {
  /** Attempts started so far, the failed one included. */
  attempts: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

/** Why an attempt's failure ends the job, or `retry` when it does not. */
export type RetryOutcome = 'retry' | 'exhausted' | 'unrecoverable';

/** The decision: `retryAt` is `null` when the job goes to `failed`. */
export interface RetryDecision {
  outcome: RetryOutcome;
  retryAt: Date | null;
}

/** Codes of failures that are never retried. */
const FINAL_CODES: ReadonlySet<string> = new Set(['UNRECOVERABLE', 'UNSTORABLE']);

/**
 * True for an error that must not be retried: `UnrecoverableError`, `UnstorableError` (an
 * outcome that cannot be stored), or any error coded so.
 */
export function isUnrecoverable(error: unknown): boolean {
  const code = error instanceof GantryError ? error.code : errorCode(error);
  return code !== undefined && FINAL_CODES.has(code);
}

/**
 * Decides the fate of a failed attempt: no retry for an unrecoverable error or when the
 * attempt budget is spent; else retry at now + the job's backoff delay for that attempt.
 */
export function decideRetry(
  job: RetryJobFields,
  now: number,
  error?: unknown,
  random: () => number = Math.random,
): RetryDecision {
  if (error !== undefined && isUnrecoverable(error)) return { outcome: 'unrecoverable', retryAt: null };
  if (job.attempts >= job.maxAttempts) return { outcome: 'exhausted', retryAt: null };
  const delay = Math.max(0, backoffDelay(job.backoff, job.attempts, random));
  return { outcome: 'retry', retryAt: new Date(now + delay) };
}

/** The `code` of an error-like value, when it has a string one. */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Turns whatever a handler threw (or a worker reported: an error-like `{ message, stack?,
 * code? }`) into the error entry stored with the job.
 */
export function toJobError(
  error: unknown,
  at: { attempt: number; workerId?: string; now: number; code?: string },
): JobError {
  // Whatever a handler threw is recorded: characters no engine stores become U+FFFD.
  const entry: JobError = {
    message: storableText(errorMessage(error)),
    attempt: at.attempt,
    at: new Date(at.now),
  };
  const stack = (error as { stack?: unknown } | null)?.stack;
  if ((error instanceof Error || isErrorLike(error)) && typeof stack === 'string' && stack) {
    entry.stack = storableText(stack);
  }
  if (at.workerId !== undefined) entry.workerId = at.workerId;
  const code = at.code ?? errorCode(error);
  if (code !== undefined) entry.code = storableText(code);
  return entry;
}

/** True for a plain object with a string `message`: an error as JSON. */
function isErrorLike(error: unknown): error is { message: string } {
  return error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string';
}

/** A readable message for any thrown value (handlers may throw strings or plain objects). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  if (isErrorLike(error)) return error.message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
