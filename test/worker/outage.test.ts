/** A worker's view of an engine outage: reported once when it begins and once when it ends, claims backing off meanwhile. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ENGINE_RETRY_MAX_MS } from '../../src/core/constants.js';
import { EngineUnavailableError, ValidationError } from '../../src/core/errors.js';
import { OutageWatch, writeThroughOutage } from '../../src/worker/outage.js';

describe('OutageWatch', () => {
  it('reports the first unreachable call and the first call that succeeds again, once each', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const watch = new OutageWatch(clock, {
      down: ({ during }) => seen.push(`down:${during}`),
      up: ({ downMs }) => seen.push(`up:${downMs}`),
    });
    expect(watch.failed(new ValidationError('bad input'), 'claim')).toBe(false);
    expect(watch.down).toBe(false);
    expect(watch.failed(new EngineUnavailableError('gone'), 'claim')).toBe(true);
    expect(watch.failed(new EngineUnavailableError('gone'), 'heartbeat')).toBe(true);
    await clock.advance(2500);
    watch.ok();
    watch.ok();
    expect(seen).toEqual(['down:claim', 'up:2500']);
    expect(watch.down).toBe(false);
  });

  it('backs claims off from the poll interval, doubling up to ENGINE_RETRY_MAX_MS', () => {
    const watch = new OutageWatch(new ManualClock(0), { down: () => undefined, up: () => undefined });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      watch.failed(new EngineUnavailableError('gone'), 'claim');
      delays.push(watch.retryDelay(100));
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, ENGINE_RETRY_MAX_MS, ENGINE_RETRY_MAX_MS]);
    watch.ok();
    expect(watch.retryDelay(100)).toBe(100);
  });
});

describe('writeThroughOutage', () => {
  const setup = () => {
    const clock = new ManualClock(0);
    const watch = new OutageWatch(clock, { down: () => undefined, up: () => undefined });
    const errors: unknown[] = [];
    const abort = new AbortController();
    const retry = {
      watch,
      clock,
      pollMs: 100,
      signal: abort.signal,
      onError: (e: unknown) => {
        errors.push(e);
        watch.failed(e, 'record outcome');
      },
    };
    return { clock, watch, errors, abort, retry };
  };

  it('tries a write again, backing off, until the engine answers', async () => {
    const { clock, errors, retry, watch } = setup();
    let calls = 0;
    const write = async (): Promise<boolean> => {
      if (++calls <= 2) throw new EngineUnavailableError('gone');
      return true;
    };
    const done = writeThroughOutage(write, retry);
    await clock.advance(0); // the first failure is handled and its wait set
    expect(calls).toBe(1);
    await clock.advance(100);
    expect(calls).toBe(2);
    await clock.advance(199);
    expect(calls).toBe(2);
    await clock.advance(1);
    await expect(done).resolves.toBe(true);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(2);
    expect(watch.down).toBe(false);
  });

  it('throws other errors at once, and the last one once the worker stops', async () => {
    const { clock, retry, abort } = setup();
    await expect(writeThroughOutage(() => Promise.reject(new ValidationError('bad')), retry)).rejects.toThrow('bad');
    const pending = writeThroughOutage(() => Promise.reject(new EngineUnavailableError('gone')), retry);
    await clock.advance(0);
    abort.abort();
    await expect(pending).rejects.toThrow('gone');
  });
});
