/** The prefetch buffer's queue: start order, drops, hand-back, and order kept through compaction. */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import { PrefetchBuffer } from '../../src/worker/prefetch.js';

const job = (id: string): Job => ({ id }) as Job;
const ids = (jobs: (Job | undefined)[]): (string | undefined)[] => jobs.map((j) => j?.id);

describe('PrefetchBuffer', () => {
  it('starts jobs in the order pushed, skipping dropped ones', () => {
    const b = new PrefetchBuffer(100, 10);
    b.push([job('a'), job('b'), job('c')]);
    expect(b.drop('b')).toBe(true);
    expect(b.drop('b')).toBe(false);
    expect(b.size).toBe(2);
    b.push([job('d')]);
    expect(ids([b.shift(), b.shift(), b.shift(), b.shift()])).toEqual(['a', 'c', 'd', undefined]);
    expect(b.size).toBe(0);
  });

  it('starts a job dropped and claimed again at its new place', () => {
    const b = new PrefetchBuffer(100, 10);
    b.push([job('a'), job('b')]);
    b.drop('a');
    b.push([job('a')]);
    expect(ids([b.shift(), b.shift(), b.shift()])).toEqual(['b', 'a', undefined]);
  });

  it('hands back everything it holds and starts from empty after', () => {
    const b = new PrefetchBuffer(100, 10);
    b.push([job('a'), job('b')]);
    b.shift();
    expect(ids(b.takeAll())).toEqual(['b']);
    expect(b.shift()).toBeUndefined();
    b.push([job('c')]);
    expect(b.shift()?.id).toBe('c');
  });

  it('keeps the order over many rounds of claims and starts', () => {
    const b = new PrefetchBuffer(5000, 10);
    const started: string[] = [];
    let next = 0;
    for (let round = 0; round < 20; round++) {
      b.push(Array.from({ length: 300 }, () => job(String(next++))));
      for (let i = 0; i < 250; i++) started.push(b.shift()!.id);
    }
    while (b.size > 0) started.push(b.shift()!.id);
    expect(started).toEqual(Array.from({ length: next }, (_, i) => String(i)));
  });
});
