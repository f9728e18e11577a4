/**
 * Waits longer than one Node timer allows (2^31 - 1 ms, about 24.8 days): Node fires such a
 * timer after 1 ms, so a 30-day job timeout used to time every attempt out at once. Vitest's
 * fake timers behave as Node's do here (a delay over the limit becomes 1 ms), so the tests
 * move days in no time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '../../src/core/clock.js';
import type { Job } from '../../src/core/job.js';
import { AttemptAbort } from '../../src/worker/attempt-abort.js';
import { runAttempt, type AttemptOutcome } from '../../src/worker/attempt.js';
import type { JobContext } from '../../src/worker/types.js';

const DAY = 86_400_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock.setTimeout beyond the limit of one Node timer', () => {
  it('fires a 30-day timer after 30 days, not at once', () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, 30 * DAY);
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(30 * DAY - 1001);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(100 * DAY);
    expect(fired).toBe(1);
  });

  it('cancels in any link of the chain', () => {
    let fired = 0;
    const cancel = systemClock.setTimeout(() => fired++, 60 * DAY);
    vi.advanceTimersByTime(MAX_TIMER_MS + DAY);
    cancel();
    vi.advanceTimersByTime(100 * DAY);
    expect(fired).toBe(0);
  });

  it('never fires an infinite wait, and fires a negative one at once', () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, Infinity);
    systemClock.setTimeout(() => (fired += 10), -5);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(10);
    vi.advanceTimersByTime(1000 * DAY);
    expect(fired).toBe(10);
  });
});

describe('a job timeout of 30 days', () => {
  it('lets the attempt run for days and times it out after 30', async () => {
    const job = { id: 'j1', type: 'long', attempts: 1, timeoutMs: 30 * DAY } as Job;
    const abort = new AttemptAbort();
    const ctx = { signal: abort.signal } as JobContext;
    let outcome: AttemptOutcome | undefined;
    const handler = (): Promise<never> => new Promise(() => undefined); // runs until aborted
    void runAttempt(job, ctx, abort, {
      clock: systemClock,
      handlers: new Map([['long', handler]]),
      middleware: [],
    }).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(outcome).toMatchObject({ kind: 'failed', error: { code: 'TIMEOUT' } });
  });
});
