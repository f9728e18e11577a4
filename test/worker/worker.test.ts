/**
 * Worker behaviour beyond the conformance groups, on a real SQLite file: option checks,
 * batching of completions, resilience to failing backend calls and to listeners, logging.
 * Spies wrap the real backend (they count and may fail calls); nothing stands in for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import { OUTCOME_FLUSH_AT } from '../../src/core/constants.js';
import { EngineUnavailableError, ValidationError } from '../../src/core/errors.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import type { Logger, WorkerOptions } from '../../src/worker/types.js';
import { Worker } from '../../src/worker/worker.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-worker-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const realTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/** Waits (in real time, 10 s at most) until `fn` is truthy. */
async function until(fn: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await realTick();
  }
}

/** The real backend with some methods wrapped. */
function spy(
  backend: Backend,
  wrap: Partial<Record<keyof Backend, (orig: (p: never) => Promise<unknown>, p: never) => Promise<unknown>>>,
): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const orig = (value as (p: never) => Promise<unknown>).bind(target);
      const w = wrap[prop as keyof Backend];
      return w ? (p: never) => w(orig, p) : orig;
    },
  });
}

describe('Worker', () => {
  let clock: ManualClock;
  let url: string;
  let backend: Backend;
  let client: Client;
  const workers: Worker[] = [];

  beforeEach(async () => {
    clock = new ManualClock();
    url = `sqlite:${join(dir, `w${++n}.db`)}`;
    backend = await openSqliteBackend({ url, clock });
    client = new Client(backend);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await backend.close();
  });

  const worker = (opts: WorkerOptions = {}): Worker => {
    const w = new Worker({ backend, clock, shutdownTimeoutMs: 0, ...opts });
    workers.push(w);
    return w;
  };

  it('refuses bad options and handlers with messages naming them', async () => {
    expect(() => worker({ concurrency: 0 })).toThrow(/concurrency must be an integer/);
    expect(() => worker({ queues: { a: -1 } })).toThrow(/weight of queue "a"/);
    expect(() => worker({ leaseMs: 10 })).toThrow(/leaseMs/);
    expect(() => worker().handle('bad type!', () => 1)).toThrow(ValidationError);
    const w = worker();
    await w.start();
    await expect(w.start()).rejects.toThrow(/started already/);
  });

  it('has a host:pid:random id and stops safely more than once, started or not', async () => {
    const idle = worker();
    expect(idle.id).toMatch(new RegExp(`^.+:${process.pid}:[0-9a-f]{8}$`));
    await idle.stop();
    const w = worker();
    await w.start();
    const first = w.stop();
    expect(w.stop()).toBe(first);
    await first;
    expect(await client.workers()).toEqual([]);
  });

  /** Runs `n` quick jobs at concurrency `n`; returns the size of each completion write. */
  const runQuick = async (n: number): Promise<number[]> => {
    const batches: number[] = [];
    const spied = spy(backend, {
      jobsComplete: (orig, p: { items: unknown[] }) => {
        batches.push(p.items.length);
        return orig(p as never);
      },
    });
    await client.enqueueMany(Array.from({ length: n }, () => ({ type: 'quick' })));
    const w = worker({ backend: spied, concurrency: n, handlers: { quick: () => 'ok' } });
    await w.start();
    await until(async () => (await client.counts(['default'])).default?.completed === n, 'all to complete');
    return batches;
  };

  it('completes jobs in batches', async () => {
    const batches = await runQuick(60);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(60);
    expect(batches.length).toBeLessThan(10);
  });

  it('writes a full batch of outcomes at once instead of waiting for the end of the tick', async () => {
    const total = OUTCOME_FLUSH_AT * 2 + 50;
    // One claim, every handler finishing in the same tick.
    const batches = await runQuick(total);
    expect(batches[0]).toBe(OUTCOME_FLUSH_AT);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('lets timers and I/O run during a drain on an engine that answers at once', async () => {
    const total = 3000;
    await client.enqueueMany(Array.from({ length: total }, () => ({ type: 'quick' })));
    let done = 0;
    let turnsWhileDraining = 0;
    const w = worker({ concurrency: 50, handlers: { quick: () => void done++ } });
    const ticker = setInterval(() => {
      if (done > 0 && done < total) turnsWhileDraining++;
    }, 0);
    try {
      await w.start();
      await until(async () => (await client.counts(['default'])).default?.completed === total, 'all to complete');
    } finally {
      clearInterval(ticker);
    }
    // Each claim round (500 jobs at most) gives the event loop a turn.
    expect(turnsWhileDraining).toBeGreaterThanOrEqual(2);
  });

  it('survives failing claims, reports them as errors, and carries on, backing off from pollMs', async () => {
    let failures = 2;
    const spied = spy(backend, {
      jobsClaim: (orig, p) => (failures-- > 0 ? Promise.reject(new EngineUnavailableError('engine down')) : orig(p)),
    });
    const errors: string[] = [];
    const w = worker({ backend: spied, pollMs: 1000, handlers: { t: () => 'done' } });
    w.on('error', (e) => errors.push(`${e.during}: ${(e.error as Error).message}`));
    await w.start();
    const job = await client.enqueue('t');
    await until(() => errors.length === 1, 'the first error');
    await clock.advance(1000);
    await until(() => errors.length === 2, 'the second error');
    // A second failure in a row doubles the wait.
    await clock.advance(1999);
    expect(await client.get(job.id)).toMatchObject({ state: 'queued' });
    await clock.advance(1);
    await expect(client.waitFor(job.id)).resolves.toBe('done');
    expect(errors).toEqual(['claim: engine down', 'claim: engine down']);
  });

  it('is not disturbed by a listener that throws', async () => {
    const logged: unknown[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (o) => void logged.push(o) };
    const w = worker({ logger, handlers: { t: () => 7 } });
    w.on('job:started', () => {
      throw new Error('printer broke');
    });
    await w.start();
    const job = await client.enqueue('t');
    await expect(client.waitFor(job.id)).resolves.toBe(7);
    expect(logged).toHaveLength(1);
  });

  it('gives handlers a logger bound to the job', async () => {
    const entries: Record<string, unknown>[] = [];
    const rec = (o: unknown): void => void entries.push(o as Record<string, unknown>);
    const logger: Logger = { debug: rec, info: rec, warn: rec, error: rec };
    const w = worker({ logger, handlers: { t: (_job, ctx) => ctx.log.info({ step: 1 }, 'working') } });
    await w.start();
    const job = await client.enqueue('t');
    await client.waitFor(job.id);
    expect(entries).toContainEqual({ jobId: job.id, type: 't', attempt: 1, workerId: w.id, step: 1 });
  });

  it('aborts a job whose lease renewal reports it lost, even when no cancel event arrives', async () => {
    // The spy drops the cancel events, leaving lease renewal as the only way to notice.
    const spied = spy(backend, {
      eventsSubscribe: (orig, p: { onEvent: (e: { type: string }) => void }) =>
        orig({ ...p, onEvent: (e: { type: string }) => e.type !== 'job.cancelled' && p.onEvent(e) } as never),
    });
    let reason: unknown;
    let started = false;
    const w = worker({
      backend: spied,
      leaseMs: 3000,
      handlers: {
        t: (_job, ctx) =>
          new Promise((resolve) => {
            started = true;
            ctx.signal.addEventListener('abort', () => resolve((reason = ctx.signal.reason)));
          }),
      },
    });
    const aborts: string[] = [];
    w.on('job:aborted', (e) => aborts.push(e.reason));
    await w.start();
    const job = await client.enqueue('t');
    await until(() => started, 'the handler to start');
    await client.cancel(job.id);
    await clock.advance(999);
    expect(reason).toBeUndefined();
    await clock.advance(1);
    await until(() => reason !== undefined, 'the renewal to notice');
    expect(reason).toMatchObject({ code: 'LEASE_LOST' });
    await until(() => aborts.length === 1, 'the attempt to be dropped');
    expect(aborts).toEqual(['lease-lost']);
    expect((await client.get(job.id))!.state).toBe('cancelled');
  });

  it('stops cleanly when stop() comes while it is still starting', async () => {
    const w = worker({ handlers: { t: () => 1 } });
    const starting = w.start();
    const stopping = w.stop();
    await starting;
    await stopping;
    expect(await client.workers()).toEqual([]);
    const job = await client.enqueue('t');
    await clock.advance(5000);
    expect((await client.get(job.id))!.state).toBe('queued');
  });

  it('opens and closes its own backend when given a url', async () => {
    const w = new Worker({ url, clock, handlers: { t: () => 'own' } });
    workers.push(w);
    await w.start();
    expect(w.backend).not.toBe(backend);
    const job = await client.enqueue('t');
    await expect(client.waitFor(job.id)).resolves.toBe('own');
    await w.stop();
    await expect(w.backend.healthCheck()).rejects.toThrow(EngineUnavailableError);
  });
});
