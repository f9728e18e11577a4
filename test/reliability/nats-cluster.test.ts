/**
 * A three-node nats-server cluster of the test's own on loopback (streams and buckets with three
 * replicas) and two `gantry worker` processes draining a few hundred jobs; one node is killed
 * with SIGKILL in the middle of the run. Every job completes, none is lost, and no job ever ran
 * in two places at the same time.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { fixture, killAll, spawnGantry, tempDb, waitUntil, type Running } from '../cli/cli-helpers.js';
import { natsCluster, throwawayNatsMissing, type ThrowawayNats } from '../helpers/throwaway-nats.js';
import { intervals, overlaps, readRecord } from './sqlite-record.js';

const JOBS = 300;
const WORKERS = 2;

const reason = throwawayNatsMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP nats-cluster: ${reason}`);
}

/** Connects once the cluster's JetStream answers (it elects its leaders after start). */
async function connectWhenReady(url: string): Promise<Client> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      return await Client.connect({ url });
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A read tried again while the cluster settles after losing a node (leaders move). */
async function settled<T>(read: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await read();
    } catch (err) {
      if (i >= 10) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe.skipIf(reason !== null)('nats cluster, one node killed', () => {
  let nodes: ThrowawayNats[] = [];
  const dir = tempDb('gantry-rel-cluster-');
  const recordFile = path.join(dir.dir, 'record.ndjson');
  const children: Running[] = [];
  let client: Client | undefined;

  afterAll(async () => {
    killAll(children);
    await Promise.all(children.map((c) => c.exited.catch(() => undefined)));
    await client?.close();
    await Promise.all(nodes.map((n) => n.destroy()));
    dir.cleanup();
  });

  function startWorker(url: string): Running {
    const w = spawnGantry(
      [
        '--url',
        url,
        'worker',
        '--handlers',
        fixture('recording-handlers.mjs'),
        '--concurrency',
        '8',
        '--lease',
        '3s',
        '--maintenance-interval',
        '250ms',
        '--maintenance-lease',
        '2s',
        '--poll',
        '100ms',
        '--no-scheduler',
        '--log-level',
        'warn',
      ],
      { env: { GANTRY_TEST_RECORD: recordFile } },
    );
    children.push(w);
    return w;
  }

  it('completes every job exactly once at a time, losing none', { timeout: 150_000 }, async () => {
    nodes = await natsCluster();
    const servers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const url = `nats://${servers}?prefix=rcl&replicas=3`;
    client = await connectWhenReady(url);
    const c = client;
    Array.from({ length: WORKERS }, () => startWorker(url));
    await waitUntil(async () => (await c.workers()).length === WORKERS, 'every worker to register', {
      timeoutMs: 30_000,
    });
    const jobs = await c.enqueueMany(
      Array.from({ length: JOBS }, (_, i) => ({ type: 'work', payload: { ms: 10 + (i % 5) * 10, i }, backoff: 100 })),
    );
    const completed = async (): Promise<number> =>
      Object.values(await c.counts().catch(() => ({}))).reduce((n, s) => n + s.completed, 0);
    await waitUntil(async () => (await completed()) >= JOBS / 4, 'a quarter of the jobs to complete', {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await nodes[0]!.stop('SIGKILL');
    const killedAt = Date.now();
    await waitUntil(async () => (await completed()) === JOBS, `all ${JOBS} jobs to complete`, {
      timeoutMs: 60_000,
      intervalMs: 250,
    }).catch(async (err: unknown) => {
      // What was left, and what the workers said, to tell a stuck job from a slow cluster.
      const left = (await settled(() => c.list({ limit: 1000 }))).jobs.filter((j) => j.state !== 'completed');
      console.warn('left:', JSON.stringify(left.slice(0, 5).map((j) => [j.id, j.state, j.workerId, j.leaseUntil])));
      for (const ch of children) console.warn('worker stderr:', ch.stderr.slice(-2000));
      throw err;
    });

    const counts = Object.values(await settled(() => c.counts()));
    for (const state of ['scheduled', 'queued', 'running', 'retrying', 'failed', 'cancelled', 'expired'] as const) {
      expect(
        counts.reduce((n, s) => n + s[state], 0),
        state,
      ).toBe(0);
    }
    const stored = (await settled(() => c.list({ limit: 1000 }))).jobs;
    expect(new Set(stored.map((j) => j.id))).toEqual(new Set(jobs.map((j) => j.id)));
    const all = intervals(readRecord(recordFile));
    expect(overlaps(all, killedAt)).toEqual([]);
    for (const job of stored) {
      expect(all.some((iv) => iv.id === job.id && iv.attempt === job.attempts && iv.outcome === 'end')).toBe(true);
    }
  });
});
