/**
 * Prefetch and pipelining on a real SQLite file: the buffer's leases are renewed, buffered
 * jobs go back unspent on stop, a queue's concurrency cap stays exact, and a freed slot
 * claims again in a capped queue without waiting for the poll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Job } from '../../src/core/job.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import type { WorkerOptions } from '../../src/worker/types.js';
import { Worker } from '../../src/worker/worker.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-prefetch-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits (in real time, 10 s at most) until `fn` is truthy. */
async function until(fn: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A gate handlers wait on: jobs with payload `i >= from` block until it opens. */
function gated(from: number) {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  let active = 0;
  let peak = 0;
  const handler = async (job: Job<{ i: number }>): Promise<number> => {
    active++;
    peak = Math.max(peak, active);
    if (job.payload.i >= from) await opened;
    active--;
    return job.payload.i;
  };
  return { handler, open, active: () => active, peak: () => peak };
}

describe('Worker prefetch', () => {
  let clock: ManualClock;
  let backend: Backend;
  let client: Client;
  const workers: Worker[] = [];

  beforeEach(async () => {
    clock = new ManualClock();
    backend = await openSqliteBackend({ url: `sqlite:${join(dir, `p${++n}.db`)}`, clock });
    client = new Client(backend);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await backend.close();
  });

  const start = async (opts: WorkerOptions): Promise<Worker> => {
    const w = new Worker({ backend, clock, shutdownTimeoutMs: 0, pollMs: 60_000, ...opts });
    workers.push(w);
    await w.start();
    return w;
  };
  const fill = (count: number, queue = 'default') =>
    client.enqueueMany(Array.from({ length: count }, (_, i) => ({ type: 't', queue, payload: { i } })));
  const counts = async (queue = 'default') => (await client.counts([queue]))[queue]!;
  const held = async (w: Worker): Promise<Job[]> =>
    (await client.list({ state: 'running', limit: 1000 })).jobs.filter((j) => j.workerId === w.id);

  it('buffers ahead of its slots on a deep queue and renews the buffered leases', async () => {
    await fill(60);
    const g = gated(20);
    const w = await start({ concurrency: 2, prefetch: 8, leaseMs: 3000, handlers: { t: g.handler } });
    await until(async () => g.active() === 2 && (await counts()).completed === 20, 'two blocked, 20 done');
    const buffered = (await held(w)).filter((j) => !w.running.includes(j.id));
    expect(buffered.length).toBeGreaterThan(0);
    expect(buffered.length).toBeLessThanOrEqual(8);
    expect(w.running).toHaveLength(2);
    // Three renewals later the first lease would long have ended: every buffered lease holds.
    for (let i = 0; i < 4; i++) await clock.advance(1000);
    await until(async () => {
      const now = await Promise.all(buffered.map((j) => client.get(j.id)));
      return now.every((j) => j!.state === 'running' && j!.leaseUntil!.getTime() > clock.now());
    }, 'the buffered leases to be renewed');
    g.open();
    await until(async () => (await counts()).completed === 60, 'all to complete');
    expect(g.peak()).toBeLessThanOrEqual(2);
  });

  it('with prefetch 0 holds no job that it is not running', async () => {
    await fill(60);
    const g = gated(20);
    const w = await start({ concurrency: 2, prefetch: 0, handlers: { t: g.handler } });
    await until(async () => g.active() === 2 && (await counts()).completed === 20, 'two blocked, 20 done');
    expect((await held(w)).filter((j) => !w.running.includes(j.id))).toEqual([]);
    expect((await counts()).queued).toBe(38);
    g.open();
    await until(async () => (await counts()).completed === 60, 'all to complete');
  });

  it('on stop hands buffered jobs back at once, queued with their attempt unspent', async () => {
    await fill(60);
    const g = gated(20);
    const w = await start({ concurrency: 2, prefetch: 8, handlers: { t: g.handler } });
    await until(async () => g.active() === 2 && (await counts()).completed === 20, 'two blocked, 20 done');
    const buffered = (await held(w)).filter((j) => !w.running.includes(j.id)).map((j) => j.id);
    expect(buffered.length).toBeGreaterThan(0);
    const running = [...w.running];
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    // The shutdown timeout (0) runs on the manual clock.
    await until(async () => stopped || void (await clock.advance(1)) || false, 'the worker to stop');
    await stopping;
    for (const id of buffered) {
      expect(await client.get(id)).toMatchObject({ state: 'queued', attempts: 0, workerId: null, errors: [] });
    }
    for (const id of running) {
      expect((await client.get(id))!).toMatchObject({ state: 'retrying', attempts: 1 });
    }
    g.open();
    const next = await start({ concurrency: 4, handlers: { t: g.handler } });
    await until(async () => (await counts()).completed === 60, 'another worker to run them all');
    expect((await client.get(buffered[0]!))!).toMatchObject({ attempts: 1, workerId: next.id });
  });

  /**
   * Runs a concurrency-2 worker (prefetch 50) whose jobs finish one at a time, each after `runMs`
   * of its clock, for ten jobs; returns the jobs it then holds without running them.
   */
  const bufferedAfterOneAtATime = async (runMs: number): Promise<Job[]> => {
    await fill(60);
    const waiting: (() => void)[] = [];
    let started = 0;
    const handler = async (): Promise<void> => {
      started++;
      await new Promise<void>((resolve) => waiting.push(resolve));
    };
    const w = await start({ concurrency: 2, prefetch: 50, handlers: { t: handler } });
    await until(() => waiting.length === 2, 'two to start');
    for (let i = 0; i < 10; i++) {
      const before = started;
      if (runMs > 0) await clock.advance(runMs);
      waiting.shift()!();
      await until(() => started > before, 'the next job to start');
    }
    const buffered = (await held(w)).filter((j) => !w.running.includes(j.id));
    for (const release of waiting.splice(0)) release();
    await w.stop();
    return buffered;
  };

  it('buffers nothing when slots free slowly on its clock: no job waits in it for another worker', async () => {
    // Each job runs 50 ms of the worker's clock: ten times the turnover window.
    expect(await bufferedAfterOneAtATime(50)).toEqual([]);
  });

  it('keeps the buffer small when jobs finish one at a time (slow jobs are not hoarded)', async () => {
    expect((await bufferedAfterOneAtATime(0)).length).toBeLessThanOrEqual(4);
  });

  it('keeps a queue concurrency cap exact: capped jobs are never buffered', async () => {
    await client.setQueue('capped', { concurrency: 4 });
    await fill(40, 'capped');
    const g = gated(20);
    const a = await start({ queues: ['capped'], concurrency: 3, prefetch: 50, handlers: { t: g.handler } });
    await until(() => g.active() === 3, 'three blocked on worker a');
    expect(await held(a)).toHaveLength(3);
    const b = await start({ queues: ['capped'], concurrency: 3, prefetch: 50, handlers: { t: g.handler } });
    await until(() => g.active() === 4, 'the cap to be reached');
    expect(await held(b)).toHaveLength(1);
    expect((await counts('capped')).running).toBe(4);
    g.open();
    await until(async () => (await counts('capped')).completed === 40, 'all to complete');
    expect(g.peak()).toBe(4);
  });

  it('claims again when a slot frees in a capped queue, without waiting for the poll', async () => {
    await client.setQueue('one', { concurrency: 1 });
    await fill(3, 'one');
    const g = gated(0);
    await start({ queues: ['one'], concurrency: 2, handlers: { t: g.handler } });
    await until(() => g.active() === 1, 'the first job to block');
    g.open();
    // The clock never moves: only a freed slot can end the worker's wait.
    await until(async () => (await counts('one')).completed === 3, 'the capped queue to drain');
  });
});
