/**
 * Graceful shutdown of a real `gantry worker` process on SQLite: SIGTERM lets a job that
 * finishes within the shutdown timeout complete; a longer job is aborted and handed back,
 * then retried by another worker and completed.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { fixture, killAll, spawnGantry, tempDb, waitUntil, type Running } from '../cli/cli-helpers.js';
import { intervals, readRecord } from './sqlite-record.js';

const db = tempDb('gantry-rel-term-');
const recordFile = path.join(db.dir, 'record.ndjson');
const children: Running[] = [];
let client: Client | undefined;

afterAll(async () => {
  killAll(children);
  await Promise.all(children.map((c) => c.exited.catch(() => undefined)));
  await client?.close();
  db.cleanup();
});

function startWorker(shutdownTimeout: string): Running {
  const w = spawnGantry(
    [
      '--url',
      db.url,
      'worker',
      '--handlers',
      fixture('recording-handlers.mjs'),
      '--shutdown-timeout',
      shutdownTimeout,
      '--lease',
      '2s',
      '--maintenance-lease',
      '2s',
      '--maintenance-interval',
      '250ms',
      '--poll',
      '100ms',
      '--no-scheduler',
      '--log-format',
      'pretty',
    ],
    { env: { GANTRY_TEST_RECORD: recordFile } },
  );
  children.push(w);
  return w;
}

/** Waits until process `pid` has started attempt `attempt` of job `id`. */
function startedBy(id: string, pid: number, attempt = 1): Promise<void> {
  return waitUntil(
    () => intervals(readRecord(recordFile)).some((iv) => iv.id === id && iv.pid === pid && iv.attempt === attempt),
    `job ${id} to start in process ${pid}`,
  );
}

describe('SQLite, SIGTERM to a worker process', () => {
  it('lets a job that ends within the shutdown timeout complete, then exits 0', { timeout: 60_000 }, async () => {
    client = await Client.connect({ url: db.url });
    const w = startWorker('20s');
    const job = await client.enqueue('work', { ms: 1500 });
    await startedBy(job.id, w.child.pid!);
    w.child.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code, exit.stderr).toBe(0);
    const done = await client.get(job.id);
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { pid: w.child.pid, attempt: 1 } });
    expect(await client.workers()).toEqual([]);
  });

  it('hands a long job back; another worker retries and completes it', { timeout: 60_000 }, async () => {
    client ??= await Client.connect({ url: db.url });
    const a = startWorker('300ms');
    // The first attempt would take a minute; the retry takes 50 ms.
    const job = await client.enqueue('work', { firstMs: 60_000, ms: 50 }, { backoff: 100 });
    await startedBy(job.id, a.child.pid!);
    a.child.kill('SIGTERM');
    const exit = await a.exited;
    expect(exit.code, exit.stderr).toBe(0);

    // Handed back, not lost and not failed: it waits to run again.
    const handedBack = await client.get(job.id);
    expect(['queued', 'retrying']).toContain(handedBack!.state);
    expect(handedBack!.errors.map((e) => e.code)).toEqual(['SHUTDOWN']);
    const first = intervals(readRecord(recordFile)).find((iv) => iv.id === job.id && iv.attempt === 1);
    expect(first).toMatchObject({ pid: a.child.pid, outcome: 'abort' });

    const b = startWorker('10s');
    await waitUntil(
      async () => (await client!.get(job.id))?.state === 'completed',
      'the job to complete on the second worker',
    );
    const done = await client.get(job.id);
    expect(done).toMatchObject({ attempts: 2, result: { pid: b.child.pid, attempt: 2 } });
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  });

  it('a second signal exits at once with 130; the job comes back through its lease', { timeout: 60_000 }, async () => {
    client ??= await Client.connect({ url: db.url });
    const a = startWorker('60s');
    const job = await client.enqueue('work', { firstMs: 60_000, ms: 50 }, { backoff: 100 });
    await startedBy(job.id, a.child.pid!);
    a.child.kill('SIGTERM');
    await waitUntil(() => a.stderr.includes('stopping'), 'the worker to start stopping');
    a.child.kill('SIGTERM');
    const exit = await a.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toMatch(/second signal: exiting now/);
    // Not handed back: it still holds its lease, and another worker's maintenance recovers it.
    expect((await client.get(job.id))!.state).toBe('running');
    const b = startWorker('10s');
    await waitUntil(
      async () => (await client!.get(job.id))?.state === 'completed',
      'the job to be recovered and completed',
    );
    const done = await client.get(job.id);
    expect(done!.errors.map((e) => e.code)).toEqual(['LEASE_EXPIRED']);
    expect(done).toMatchObject({ attempts: 2, result: { pid: b.child.pid } });
  });
});
