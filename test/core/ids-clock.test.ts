import { describe, expect, it } from 'vitest';
import { ManualClock, flushPromises, sleep, watchTurn } from '../../src/core/clock.js';
import { isUuid, newId } from '../../src/core/ids.js';

describe('newId', () => {
  it('is a UUIDv7 that sorts by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId(1_900_000_000_000));
    expect(ids.every(isUuid)).toBe(true);
    expect(ids[0]![14]).toBe('7');
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId(1_900_000_000_999) > ids.at(-1)!).toBe(true);
  });
});

describe('ManualClock', () => {
  it('fires timers in order only when advanced', async () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(2), 200);
    clock.setTimeout(() => fired.push(1), 100);
    const cancel = clock.setTimeout(() => fired.push(3), 150);
    cancel();
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(101);
    expect(fired).toEqual([1, 2]);
    expect(clock.now()).toBe(200);
  });

  it('drives sleep and abort', async () => {
    const clock = new ManualClock(0);
    let done = false;
    const p = sleep(clock, 1000).then(() => (done = true));
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
    const ac = new AbortController();
    const q = sleep(clock, 1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(q).rejects.toThrow('stop');
  });
});

describe('watchTurn', () => {
  it('tells a promise resolved in-process from one that waited for the event loop', async () => {
    const inProcess = watchTurn();
    await Promise.resolve();
    expect(inProcess()).toBe(false);
    const waited = watchTurn();
    await flushPromises();
    expect(waited()).toBe(true);
  });
});
