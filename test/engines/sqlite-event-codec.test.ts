/** The packed form of a change's events (SQLite `events.packed`) gives back exactly what was packed. */
import { describe, expect, it } from 'vitest';
import type { GantryEvent } from '../../src/core/events.js';
import { packEvents, unpackEvents } from '../../src/engines/sqlite/event-codec.js';

const started = (jobId: string, attempt: number, workerId = 'w1'): GantryEvent => ({
  type: 'job.started',
  at: 1_700_000_000_000,
  jobId,
  jobType: 'noop',
  queue: 'q',
  state: 'running',
  attempt,
  workerId,
});

describe('sqlite: packed events', () => {
  it('round-trips runs, lone events and events with extra fields, in order and key order', () => {
    const events: GantryEvent[] = [
      started('a', 1),
      started('b', 2),
      started('c', 1, 'w2'),
      { ...started('d', 1), type: 'job.progress', progress: { percent: 5, message: 'x' } },
      { ...started('e', 3), type: 'job.failed', state: 'failed', error: 'boom "quoted"' },
      { type: 'queue.paused', at: 5, queue: 'q' },
      { type: 'job.enqueued', at: 6, jobId: 'f', jobType: 't', queue: 'q', state: 'queued', attempt: 0 },
      { type: 'job.enqueued', at: 6, jobId: 'g', jobType: 't', queue: 'q', state: 'queued', attempt: 0 },
      { type: 'schedule.fired', at: 7, schedule: 'nightly', jobId: 'h', attempt: 0 },
      { ...started('i', 1), seq: '12' },
    ];
    const back = unpackEvents(packEvents(events));
    expect(back).toEqual(events);
    expect(back.map((e) => Object.keys(e).join())).toEqual(events.map((e) => Object.keys(e).join()));
  });

  it('stores a batch of alike events in a fraction of their JSON', () => {
    const batch = Array.from({ length: 100 }, (_, i) =>
      started(`0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, '0')}`, 1),
    );
    const packed = packEvents(batch);
    expect(packed.length).toBeLessThan(JSON.stringify(batch).length / 3);
    expect(unpackEvents(packed)).toEqual(batch);
    expect(unpackEvents(packEvents([]))).toEqual([]);
  });
});
