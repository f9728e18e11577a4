/**
 * Any NATS client, no Gantry code: enqueue by publishing to `<prefix>.submit.<queue>` (deduped
 * by `Nats-Msg-Id`) or by request-reply on `<prefix>.api.enqueue`, and read results from
 * `<prefix>.result.<queue>.<id>` by direct get. The plain client here is the `@nats-io` one,
 * used only through subjects and JSON.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import type { GantryEvent } from '../../src/core/events.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');

describe.skipIf(!available)('nats: any NATS client enqueues and reads results', () => {
  let prefix: string;
  let backend: Backend;
  let nc: NatsConnection;
  let events: GantryEvent[];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
  });
  afterAll(() => nc.close());

  beforeEach(async () => {
    prefix = `ti${randomBytes(4).toString('hex')}`;
    backend = await openNatsBackend({ url: TEST_URLS.nats, namespace: prefix });
    events = [];
    stop = await backend.eventsSubscribe({ onEvent: (e) => void events.push(e) });
    // A process that claims takes submissions.
    await backend.jobsClaim({ workerId: 'w', queues: ['none'], limit: 1, leaseMs: 1000 });
  });
  afterEach(async () => {
    await stop();
    await backend.close();
    await dropNatsPrefix(TEST_URLS.nats, prefix);
  });

  /** Resolves with the first event `match` takes (subscribed before the action). */
  async function eventOf(match: (e: GantryEvent) => boolean): Promise<GantryEvent> {
    for (let i = 0; i < 500; i++) {
      const e = events.find(match);
      if (e) return e;
      await backend.workAwait({ queues: ['__none__'], timeoutMs: 10 });
    }
    throw new Error('no such event');
  }

  it('enqueues a durable submission once per Nats-Msg-Id', async () => {
    const js = jetstream(nc);
    const body = JSON.stringify({ type: 'report.build', payload: { n: 1 }, priority: 'high' });
    const h = headers();
    h.set('Nats-Msg-Id', 'order-7');
    await js.publish(`${prefix}.submit.reports`, body, { headers: h });
    await js.publish(`${prefix}.submit.reports`, body, { headers: h });
    // A core publish (no JetStream API) is stored too.
    nc.publish(`${prefix}.submit.reports`, JSON.stringify({ type: 'report.other', id: 'plain-1' }));
    await eventOf((e) => e.type === 'job.enqueued' && e.jobId === 'plain-1');
    const job = await backend.jobGet({ id: 'order-7' });
    expect(job).toMatchObject({ type: 'report.build', queue: 'reports', payload: { n: 1 }, priority: 10 });
    expect((await backend.jobsList({ limit: 10 })).jobs.map((j) => j.id).sort()).toEqual(['order-7', 'plain-1']);
  });

  it('answers a request-reply enqueue with {id, state, created} or the API error', async () => {
    const ask = async (body: unknown): Promise<unknown> =>
      (await nc.request(`${prefix}.api.enqueue`, JSON.stringify(body), { timeout: 5000 })).json();
    expect(await ask({ type: 'a.b', queue: 'q1', id: 'rr-1' })).toEqual({ id: 'rr-1', state: 'queued', created: true });
    expect(await ask({ type: 'a.b', queue: 'q1', id: 'rr-1' })).toEqual({
      id: 'rr-1',
      state: 'queued',
      created: false,
    });
    expect(await ask({ type: 'a.b', delay: 60_000 })).toMatchObject({ state: 'scheduled', created: true });
    expect(await ask({ payload: 1 })).toMatchObject({ error: { code: 'VALIDATION' } });
    await ask({ type: 'a.b', uniqueKey: 'k' });
    expect(await ask({ type: 'a.b', uniqueKey: 'k' })).toMatchObject({ error: { code: 'UNIQUE_CONFLICT' } });
  });

  it('publishes every final state on the results subject, readable later by direct get', async () => {
    const jsm = await jetstreamManager(nc);
    const stream = `${prefix.toUpperCase()}_RESULTS`;
    const result = async (queue: string, id: string): Promise<Record<string, unknown>> => {
      const m = await jsm.direct.getMessage(stream, { last_by_subj: `${prefix}.result.${queue}.${id}` });
      return m!.json();
    };
    const [ok, bad, gone] = await backend.jobsEnqueue({
      jobs: ['ok', 'bad', 'gone'].map((id) => ({
        id,
        type: 't',
        queue: 'r',
        payload: null,
        priority: 0,
        state: 'queued' as const,
        maxAttempts: 1,
        backoff: { type: 'fixed' as const, delayMs: 0 },
        timeoutMs: null,
        runAt: new Date(),
        deadline: null,
        uniqueKey: null,
        uniqueWindowMs: null,
        deleteOnComplete: false,
        createdAt: new Date(),
        tags: [],
        metadata: {},
      })),
    });
    await backend.jobCancel({ id: gone!.job.id });
    const claimed = await backend.jobsClaim({ workerId: 'w', queues: ['r'], limit: 2, leaseMs: 10_000 });
    expect(claimed.map((j) => j.id).sort()).toEqual(['bad', 'ok']);
    await backend.jobsComplete({ items: [{ id: ok!.job.id, workerId: 'w', attempt: 1, result: { sum: 3 } }] });
    await backend.jobsFail({
      items: [
        {
          id: bad!.job.id,
          workerId: 'w',
          attempt: 1,
          error: { message: 'no', attempt: 1, at: new Date(), code: 'X' },
          retryAt: null,
        },
      ],
    });
    await backend.eventsFlush();
    expect(await result('r', 'ok')).toMatchObject({
      id: 'ok',
      type: 't',
      queue: 'r',
      state: 'completed',
      result: { sum: 3 },
      error: null,
      attempts: 1,
    });
    expect(await result('r', 'bad')).toMatchObject({
      state: 'failed',
      result: null,
      error: { message: 'no', code: 'X' },
    });
    expect(await result('r', 'gone')).toMatchObject({ state: 'cancelled', attempts: 0 });
    expect(typeof (await result('r', 'ok')).finishedAt).toBe('string');
  });

  it('reports a refused submission on its results subject as rejected', async () => {
    const h = headers();
    h.set('Nats-Msg-Id', 'bad-1');
    await jetstream(nc).publish(`${prefix}.submit.q`, JSON.stringify({ payload: 1 }), { headers: h });
    const jsm = await jetstreamManager(nc);
    let m = null;
    for (let i = 0; i < 200 && !m; i++) {
      m = await jsm.direct
        .getMessage(`${prefix.toUpperCase()}_RESULTS`, { last_by_subj: `${prefix}.result.q.bad-1` })
        .catch(() => null);
      if (!m) await backend.workAwait({ queues: ['__none__'], timeoutMs: 10 });
    }
    expect(m!.json()).toMatchObject({ id: 'bad-1', state: 'rejected', error: { code: 'VALIDATION' } });
  });
});
