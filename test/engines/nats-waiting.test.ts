/**
 * A claiming process learns where jobs wait (priorities holding pointers, the first due delay)
 * from the subjects another process publishes to, and asks the streams again only when it does
 * not know (docs/nats.md). What another process enqueues after this one learnt is still
 * claimed in exact priority order, and its delayed jobs come due on the shared clock.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, ClaimParams } from '../../src/backend/backend.js';
import { ManualClock } from '../../src/core/clock.js';
import { validateEnqueue, type EnqueueRequest } from '../../src/core/validate-enqueue.js';
import { connect } from '@nats-io/transport-node';
import { parseNatsUrl } from '../../src/engines/nats/connection.js';
import { wakeOf } from '../../src/engines/nats/dispatch.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');

describe.skipIf(!available)('nats: what a claiming process knows of where jobs wait', () => {
  let prefix: string;
  let clock: ManualClock;
  let worker: Backend;
  let producer: Backend;

  const enqueue = (req: Partial<EnqueueRequest>): Promise<unknown> =>
    producer.jobsEnqueue({ jobs: [validateEnqueue({ type: 't', queue: 'q', ...req }, clock.now())] });
  const claim = (limit = 1): ReturnType<Backend['jobsClaim']> =>
    worker.jobsClaim({ workerId: 'w', queues: ['q'], limit, leaseMs: 30_000 } satisfies ClaimParams);

  beforeEach(async () => {
    prefix = `tw${randomBytes(4).toString('hex')}`;
    clock = new ManualClock();
    worker = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix, clock });
    producer = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix, clock });
  });
  afterEach(async () => {
    await worker.close();
    await producer.close();
    await dropNatsPrefix(TEST_URLS.nats, prefix);
  });

  it('claims a higher priority enqueued by another process after it learnt the queue', async () => {
    await enqueue({ payload: { n: 1 } });
    await enqueue({ payload: { n: 2 } });
    expect((await claim()).map((j) => j.payload)).toEqual([{ n: 1 }]);
    await enqueue({ payload: { n: 3 }, priority: 10 });
    await enqueue({ payload: { n: 4 }, priority: -5 });
    expect((await claim(3)).map((j) => j.payload)).toEqual([{ n: 3 }, { n: 2 }, { n: 4 }]);
    expect(await claim()).toEqual([]);
    // Once every priority ran dry, a new one is still found.
    await enqueue({ payload: { n: 5 }, priority: 7 });
    expect((await claim()).map((j) => j.payload)).toEqual([{ n: 5 }]);
  });

  it('claims a delayed job of another process once the clock reaches it, and not before', async () => {
    await enqueue({ payload: { n: 1 }, delay: 60_000 });
    expect(await claim()).toEqual([]);
    await enqueue({ payload: { n: 2 }, delay: 5_000 });
    expect(await claim()).toEqual([]);
    await clock.advance(5_000);
    expect((await claim()).map((j) => j.payload)).toEqual([{ n: 2 }]);
    expect(await claim()).toEqual([]);
    await clock.advance(55_000);
    expect((await claim()).map((j) => j.payload)).toEqual([{ n: 1 }]);
  });

  it('still pulls a priority whose pointer a claim handed back, though nothing announced it again', async () => {
    await enqueue({ type: 'other' });
    const typed = (types: string[]): ReturnType<Backend['jobsClaim']> =>
      worker.jobsClaim({ workerId: 'w', queues: ['q'], limit: 1, leaseMs: 30_000, types });
    expect(await typed(['t'])).toEqual([]);
    // The server may apply the hand-back after the next pull: a few claims in a row, at once.
    let got: Awaited<ReturnType<Backend['jobsClaim']>> = [];
    for (let i = 0; i < 10 && got.length === 0; i++) got = await typed(['other']);
    expect(got.map((j) => j.type)).toEqual(['other']);
  });

  it('hints the jobs being queued to idle workers of other processes, with the record written', async () => {
    const nc = await connect({ servers: parseNatsUrl(TEST_URLS.nats).servers });
    try {
      const heard = new Promise<string>((resolve) => {
        nc.subscribe(`${prefix}.wake.q`, { max: 1, callback: (_err, m) => resolve(m.string()) });
      });
      await nc.flush();
      const [outcome] = (await producer.jobsEnqueue({
        jobs: [validateEnqueue({ type: 't', queue: 'q' }, clock.now())],
      })) as { job: { id: string } }[];
      const hint = wakeOf(await heard);
      expect(hint.ids).toEqual([outcome!.job.id]);
      expect(hint.from).not.toBe('');
      expect((await claim()).map((j) => j.id)).toEqual([outcome!.job.id]);
    } finally {
      await nc.close();
    }
  });

  it('reads a hand-over wake-up, a hint, and a garbled hint', () => {
    expect(wakeOf('abc')).toEqual({ from: 'abc', ids: [] });
    expect(wakeOf('abc\n["a","b"]')).toEqual({ from: 'abc', ids: ['a', 'b'] });
    expect(wakeOf('abc\n{oops')).toEqual({ from: 'abc', ids: [] });
    expect(wakeOf('abc\n[1,"a"]')).toEqual({ from: 'abc', ids: ['a'] });
  });
});
