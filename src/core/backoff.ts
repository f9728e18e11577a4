/**
 * Backoff policies: how long to wait before attempt n+1 after attempt n failed. Pure
 * functions; the random source is injectable for tests.
 */
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS } from './constants.js';
import { ValidationError } from './errors.js';

/** A backoff policy, stored with the job as JSON. */
export type BackoffPolicy =
  | { type: 'exponential'; baseMs?: number; maxMs?: number; jitter?: boolean }
  | { type: 'fixed'; delayMs: number }
  | { type: 'linear'; stepMs: number; maxMs?: number }
  | { type: 'list'; delaysMs: number[] };

/** Exponential with full jitter from 1 s up to 1 h: the default. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  type: 'exponential',
  baseMs: DEFAULT_BACKOFF_BASE_MS,
  maxMs: DEFAULT_BACKOFF_MAX_MS,
  jitter: true,
};

/**
 * Delay in ms before the next attempt, after `attempt` (1-based) failed.
 * Exponential: base·2^(attempt-1), capped, with "equal jitter" (half fixed, half random) so
 * retries never collapse to zero yet spread out.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, attempt);
  switch (policy.type) {
    case 'fixed':
      return policy.delayMs;
    case 'linear':
      return Math.min(policy.stepMs * n, policy.maxMs ?? Number.MAX_SAFE_INTEGER);
    case 'list': {
      const list = policy.delaysMs;
      return list.length === 0 ? 0 : list[Math.min(n - 1, list.length - 1)]!;
    }
    case 'exponential': {
      const base = policy.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
      const max = policy.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
      const raw = Math.min(max, base * 2 ** Math.min(n - 1, 52));
      if (policy.jitter === false) return raw;
      return Math.round(raw / 2 + random() * (raw / 2));
    }
  }
}

const nonNeg = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ValidationError(`backoff.${field} must be a number of ms >= 0, got ${JSON.stringify(v)}`);
  }
  return v;
};

/**
 * Validates a backoff policy given by a user. Accepts the policy object, a number (fixed ms)
 * or an array (list of ms).
 */
export function parseBackoff(input: unknown): BackoffPolicy {
  if (input === undefined || input === null) return DEFAULT_BACKOFF;
  if (typeof input === 'number') return { type: 'fixed', delayMs: nonNeg(input, 'delayMs') };
  if (Array.isArray(input)) return { type: 'list', delaysMs: input.map((v, i) => nonNeg(v, `delaysMs[${i}]`)) };
  if (typeof input !== 'object') {
    throw new ValidationError(
      `backoff must be a policy object, a number of ms or a list of ms, got ${JSON.stringify(input)}`,
    );
  }
  const p = input as Record<string, unknown>;
  switch (p.type) {
    case 'exponential': {
      const out: BackoffPolicy = { type: 'exponential' };
      if (p.baseMs !== undefined) out.baseMs = nonNeg(p.baseMs, 'baseMs');
      if (p.maxMs !== undefined) out.maxMs = nonNeg(p.maxMs, 'maxMs');
      if (p.jitter !== undefined) out.jitter = Boolean(p.jitter);
      return out;
    }
    case 'fixed':
      return { type: 'fixed', delayMs: nonNeg(p.delayMs, 'delayMs') };
    case 'linear': {
      const out: BackoffPolicy = { type: 'linear', stepMs: nonNeg(p.stepMs, 'stepMs') };
      if (p.maxMs !== undefined) out.maxMs = nonNeg(p.maxMs, 'maxMs');
      return out;
    }
    case 'list':
      if (!Array.isArray(p.delaysMs)) throw new ValidationError('backoff.delaysMs must be a list of ms');
      return { type: 'list', delaysMs: p.delaysMs.map((v, i) => nonNeg(v, `delaysMs[${i}]`)) };
    default:
      throw new ValidationError(
        `backoff.type must be one of exponential, fixed, linear, list; got ${JSON.stringify(p.type)}`,
      );
  }
}
