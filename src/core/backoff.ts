/**
 * Backoff policies: how long to wait before attempt n+1 after attempt n failed. Pure
 * functions; the random source is injectable for tests.
 */
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, MAX_BACKOFF_LIST, MAX_DURATION_MS } from './constants.js';
import { parseDuration } from './duration.js';
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
 * Delay in ms before the next attempt, after `attempt` (1-based) failed, from 0 to
 * `MAX_DURATION_MS` whatever the policy holds (a linear step times many attempts, a policy
 * stored before its values were bounded), so the retry time is always representable.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const delay = policyDelay(policy, attempt, random);
  return delay >= 0 ? Math.min(delay, MAX_DURATION_MS) : 0;
}

/**
 * The policy's own delay. Exponential: base·2^(attempt-1), capped, with "equal jitter" (half
 * fixed, half random) so retries never collapse to zero yet spread out.
 */
function policyDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
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

/** A delay of a policy object: a number of ms from 0 to `MAX_DURATION_MS`. */
const nonNeg = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_DURATION_MS) {
    throw new ValidationError(
      `backoff.${field} must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got ${JSON.stringify(v)}`,
    );
  }
  return v;
};

/** A list of delays, each ms or duration text. */
function delayList(items: unknown[], field: string): BackoffPolicy {
  if (items.length > MAX_BACKOFF_LIST) {
    throw new ValidationError(`${field} must hold at most ${MAX_BACKOFF_LIST} delays, got ${items.length}`);
  }
  return { type: 'list', delaysMs: items.map((v, i) => parseDuration(v, `${field}[${i}]`)) };
}

/**
 * Validates a backoff policy given by a user, the same from every entry point (the Client, the
 * CLI's `--backoff`, the HTTP API). Accepts the policy object; a fixed delay as a number of ms
 * or duration text (`500ms`, `2s`); a list of delays as an array or text (`1s,5s,30s`); or
 * `exponential` (the default policy).
 */
export function parseBackoff(input: unknown): BackoffPolicy {
  if (input === undefined || input === null) return DEFAULT_BACKOFF;
  if (typeof input === 'number') return { type: 'fixed', delayMs: parseDuration(input, 'backoff') };
  if (typeof input === 'string') return parseBackoffText(input);
  if (Array.isArray(input)) return delayList(input, 'backoff');
  if (typeof input !== 'object') {
    throw new ValidationError(
      `backoff must be a policy object, a delay (ms or text like 500ms), a list of delays or "exponential", got ${JSON.stringify(input)}`,
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
      return delayList(p.delaysMs, 'backoff.delaysMs');
    default:
      throw new ValidationError(
        `backoff.type must be one of exponential, fixed, linear, list; got ${JSON.stringify(p.type)}`,
      );
  }
}

/** `exponential`, one delay (`500ms`: fixed) or several (`1s,5s,30s`: a list). */
function parseBackoffText(text: string): BackoffPolicy {
  const v = text.trim();
  if (v === 'exponential') return { type: 'exponential' };
  if (v.includes(','))
    return delayList(
      v.split(',').map((p) => p.trim()),
      'backoff',
    );
  return { type: 'fixed', delayMs: parseDuration(v, 'backoff') };
}
