/**
 * The `active` bucket holds one entry per claim (docs/nats.md): removed by the claiming process
 * once its last job leaves `running`, and by lease recovery when a claimer that died left it.
 * Lease recovery finds a running job through its claim's entry, and once a minute through every
 * record (an entry lost while its job ran).
 */
import { randomBytes } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { ManualClock } from '../../src/core/clock.js';
import { NATS_ORPHAN_SCAN_MS, NATS_POINTER_GRACE_MS } from '../../src/core/constants.js';
import { validateEnqueue } from '../../src/core/validate-enqueue.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { waitUntil } from '../conformance/fixtures.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');

describe.skipIf(!available)('nats: one active entry per claim', () => {
  let nc: NatsConnection;
  let prefix: string;
  let clock: ManualClock;
  let backend: Backend;

  const keys = async (): Promise<string[]> => {
    const kv = await new Kvm(nc).open(`${prefix}-active`);
    const out: string[] = [];
    for await (const k of await kv.keys()) out.push(k);
    return out.sort();
  };
  const enqueue = (n: number): Promise<unknown> =>
    backend.jobsEnqueue({
      jobs: Array.from({ length: n }, () => validateEnqueue({ type: 't', queue: 'q' }, clock.now())),
    });
  const claim = (limit: number): ReturnType<Backend['jobsClaim']> =>
    backend.jobsClaim({ workerId: 'w', queues: ['q'], limit, leaseMs: 30_000 });

  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
  });
  afterAll(() => nc.close());
  beforeEach(async () => {
    prefix = `ta${randomBytes(4).toString('hex')}`;
    clock = new ManualClock();
    backend = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix, clock });
  });
  afterEach(async () => {
    await backend.close();
    await dropNatsPrefix(TEST_URLS.nats, prefix);
  });

  it('writes one entry for a claim of several jobs and removes it when the last one finishes', async () => {
    await enqueue(3);
    const jobs = await claim(3);
    expect(jobs).toHaveLength(3);
    expect(await keys()).toHaveLength(1);
    const done = (j: (typeof jobs)[number]): Promise<unknown> =>
      backend.jobsComplete({ items: [{ id: j.id, workerId: 'w', attempt: j.attempts, result: null }] });
    await done(jobs[0]!);
    await done(jobs[1]!);
    await backend.eventsFlush();
    expect(await keys()).toHaveLength(1);
    await done(jobs[2]!);
    await backend.eventsFlush();
    expect(await keys()).toEqual([]);
  });

  it('reads what a wake-up named while the pull is out, and leaves no entry when another worker took it', async () => {
    const producer = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix, clock });
    const other = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix, clock });
    const seen: string[] = [];
    const stop = await backend.eventsSubscribe({
      filter: { types: ['job.enqueued'] },
      onEvent: (e) => void seen.push(e.jobId!),
    });
    const send = async (n: number): Promise<void> => {
      const before = seen.length;
      await producer.jobsEnqueue({
        jobs: Array.from({ length: n }, (_, i) =>
          validateEnqueue({ type: 't', queue: 'q', payload: { i } }, clock.now()),
        ),
      });
      await waitUntil(() => seen.length >= before + n);
    };
    try {
      expect(await claim(1)).toEqual([]);
      await send(2);
      const jobs = await claim(5);
      expect(jobs.map((j) => j.payload)).toEqual([{ i: 0 }, { i: 1 }]);
      expect(await keys()).toHaveLength(1);
      await backend.jobsComplete({
        items: jobs.map((j) => ({ id: j.id, workerId: 'w', attempt: j.attempts, result: null })),
      });
      await backend.eventsFlush();
      expect(await keys()).toEqual([]);
      expect(await claim(1)).toEqual([]);
      await send(1);
      expect(await other.jobsClaim({ workerId: 'o', queues: ['q'], limit: 1, leaseMs: 30_000 })).toHaveLength(1);
      expect(await claim(1)).toEqual([]);
      await backend.eventsFlush();
      // Only the other worker's entry: the one written for the wake-up went.
      expect(await keys()).toHaveLength(1);
    } finally {
      await stop();
      await producer.close();
      await other.close();
    }
  });

  it('finds an expired lease through the entry, and clears an entry a dead claimer left only after the grace', async () => {
    await enqueue(1);
    const [job] = await claim(1);
    // A claimer that died between writing its entry and any record: nothing runs under it.
    const kv = await new Kvm(nc).open(`${prefix}-active`);
    await kv.put('dead.1', JSON.stringify({ queue: 'q', worker: 'gone', ids: [job!.id], at: clock.now() }));
    await clock.advance(31_000);
    expect((await backend.jobsLeaseExpiredList({ limit: 10 })).map((j) => j.id)).toEqual([job!.id]);
    expect(await keys()).toContain('dead.1');
    await clock.advance(NATS_POINTER_GRACE_MS);
    await backend.jobsLeaseExpiredList({ limit: 10 });
    expect(await keys()).not.toContain('dead.1');
    // The entry of the running job stays while it runs.
    expect(await keys()).toHaveLength(1);
  });

  it('finds a running job whose entry was lost by reading every record, once a minute', async () => {
    await enqueue(1);
    const [job] = await claim(1);
    // The first list starts the minute.
    expect(await backend.jobsLeaseExpiredList({ limit: 10 })).toEqual([]);
    const kv = await new Kvm(nc).open(`${prefix}-active`);
    for (const k of await keys()) await kv.purge(k);
    await clock.advance(31_000);
    // Within the minute only the entries are read, and none names the job.
    expect(await backend.jobsLeaseExpiredList({ limit: 10 })).toEqual([]);
    await clock.advance(NATS_ORPHAN_SCAN_MS - 31_000);
    expect((await backend.jobsLeaseExpiredList({ limit: 10 })).map((j) => j.id)).toEqual([job!.id]);
  });
});
