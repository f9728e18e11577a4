import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../src/core/backoff.js';
import { UnrecoverableError, ValidationError } from '../../src/core/errors.js';
import { decideRetry, errorMessage, isUnrecoverable, toJobError } from '../../src/core/retry.js';

const NOW = Date.UTC(2030, 0, 1);
const fixed: BackoffPolicy = { type: 'fixed', delayMs: 5000 };

describe('core/retry: decideRetry', () => {
  it('retries at now + the policy delay while attempts remain', () => {
    const d = decideRetry({ attempts: 1, maxAttempts: 3, backoff: fixed }, NOW, new Error('boom'));
    expect(d).toEqual({ outcome: 'retry', retryAt: new Date(NOW + 5000) });
  });

  it('uses the failed attempt number for exponential and list policies', () => {
    const exp: BackoffPolicy = { type: 'exponential', baseMs: 1000, maxMs: 60_000, jitter: false };
    expect(decideRetry({ attempts: 3, maxAttempts: 5, backoff: exp }, NOW).retryAt).toEqual(new Date(NOW + 4000));
    const list: BackoffPolicy = { type: 'list', delaysMs: [10, 20, 30] };
    expect(decideRetry({ attempts: 2, maxAttempts: 9, backoff: list }, NOW).retryAt).toEqual(new Date(NOW + 20));
    expect(decideRetry({ attempts: 7, maxAttempts: 9, backoff: list }, NOW).retryAt).toEqual(new Date(NOW + 30));
  });

  it('passes the random source to jittered backoff', () => {
    const job = { attempts: 1, maxAttempts: 5, backoff: DEFAULT_BACKOFF };
    expect(decideRetry(job, NOW, undefined, () => 0).retryAt).toEqual(new Date(NOW + 500));
    expect(decideRetry(job, NOW, undefined, () => 1).retryAt).toEqual(new Date(NOW + 1000));
  });

  it('fails when the attempt budget is spent', () => {
    expect(decideRetry({ attempts: 3, maxAttempts: 3, backoff: fixed }, NOW, new Error('x'))).toEqual({
      outcome: 'exhausted',
      retryAt: null,
    });
    expect(decideRetry({ attempts: 1, maxAttempts: 1, backoff: fixed }, NOW).retryAt).toBeNull();
  });

  it('fails at once on an unrecoverable error, whatever the budget', () => {
    const d = decideRetry({ attempts: 1, maxAttempts: 25, backoff: fixed }, NOW, new UnrecoverableError('bad input'));
    expect(d).toEqual({ outcome: 'unrecoverable', retryAt: null });
    expect(isUnrecoverable({ code: 'UNRECOVERABLE' })).toBe(true);
    expect(isUnrecoverable(new ValidationError('x'))).toBe(false);
    expect(isUnrecoverable('UNRECOVERABLE')).toBe(false);
  });
});

describe('core/retry: toJobError', () => {
  it('keeps message, stack, code, attempt, worker and time', () => {
    const err = new UnrecoverableError('nope');
    const e = toJobError(err, { attempt: 2, workerId: 'w1', now: NOW });
    expect(e).toMatchObject({ message: 'nope', attempt: 2, workerId: 'w1', code: 'UNRECOVERABLE', at: new Date(NOW) });
    expect(e.stack).toContain('nope');
  });

  it('reads thrown strings and objects, and lets the caller set the code', () => {
    expect(toJobError('plain', { attempt: 1, now: NOW })).toEqual({ message: 'plain', attempt: 1, at: new Date(NOW) });
    expect(toJobError({ reason: 1 }, { attempt: 1, now: NOW, code: 'X' }).message).toBe('{"reason":1}');
    expect(toJobError({ reason: 1 }, { attempt: 1, now: NOW, code: 'X' }).code).toBe('X');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
