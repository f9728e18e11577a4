/**
 * Shared rig of the worker-level conformance groups: a fresh backend on a `ManualClock` per
 * test, a Client, Workers and Maintenance over it, and waits on conditions (never fixed
 * sleeps). Workers are stopped and the backend closed after each test.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Job, JobState } from '../../src/core/job.js';
import { Maintenance, type MaintenanceOptions } from '../../src/maintenance/maintenance.js';
import type { WorkerEvents, WorkerOptions } from '../../src/worker/types.js';
import { Worker } from '../../src/worker/worker.js';
import type { ConformanceFactory } from './index.js';

/** Worker options the rig uses unless a test overrides them. */
export const RIG_WORKER = { pollMs: 1000, leaseMs: 30_000, heartbeatMs: 5000, shutdownTimeoutMs: 5000 };

/** A promise with its resolve exposed: a gate a handler waits on until the test opens it. */
export interface Gate {
  promise: Promise<void>;
  open(): void;
}

/** A closed gate. */
export function gate(): Gate {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves when `signal` aborts, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Everything a runtime test needs; fresh per test. */
export interface Rig {
  clock: ManualClock;
  backend: Backend;
  client: Client;
  /** A worker over the rig's backend and clock (not started). */
  worker(options?: WorkerOptions): Worker;
  /** A started worker. */
  startWorker(options?: WorkerOptions): Promise<Worker>;
  /** Stops a worker, advancing the clock through its shutdown timeout if it must. */
  stopWorker(worker: Worker): Promise<void>;
  maintenance(options?: Partial<MaintenanceOptions>): Maintenance;
  /** Waits until `fn` returns a truthy value and returns it; fails after 10 s of real time. */
  until<T>(fn: () => T | Promise<T>, what: string): Promise<NonNullable<Awaited<T>>>;
  /** Waits until the job is in one of `states`. */
  untilState(id: string, ...states: JobState[]): Promise<Job>;
  /** Records a worker's events in order. */
  record(worker: Worker): { type: keyof WorkerEvents; jobId?: string; payload: unknown }[];
}

const REAL_WAIT_LIMIT_MS = 10_000;
const REAL_TICK_MS = 5;
/** Real time after which `until` nudges the clock by `pollMs`, in case a wake-up was missed. */
const NUDGE_AFTER_MS = 300;

const realTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, REAL_TICK_MS));

/** Registers per-test setup and teardown; call inside a `describe`, use the getter in tests. */
export function useRig(factory: ConformanceFactory): () => Rig {
  let rig: Rig | undefined;
  let workers: Worker[] = [];
  let maintenances: Maintenance[] = [];

  beforeEach(async () => {
    const clock = new ManualClock();
    const backend = await factory(clock);
    const client = new Client(backend);
    workers = [];
    maintenances = [];
    const r: Rig = {
      clock,
      backend,
      client,
      worker(options = {}) {
        const w = new Worker({ ...RIG_WORKER, backend, clock, ...options });
        workers.push(w);
        return w;
      },
      async startWorker(options = {}) {
        const w = r.worker(options);
        await w.start();
        return w;
      },
      async stopWorker(worker) {
        let done = false;
        const stopping = worker.stop().finally(() => (done = true));
        for (let i = 0; i < 1000 && !done; i++) {
          await realTick();
          if (!done) await clock.advance(1000);
        }
        await stopping;
      },
      maintenance(options = {}) {
        const m = new Maintenance({ backend, clock, ...options });
        maintenances.push(m);
        return m;
      },
      async until(fn, what) {
        const started = Date.now();
        let nudged = started;
        for (;;) {
          const v = await fn();
          if (v) return v as NonNullable<Awaited<typeof v>>;
          if (Date.now() - started > REAL_WAIT_LIMIT_MS) throw new Error(`timed out waiting for ${what}`);
          await realTick();
          if (Date.now() - nudged > NUDGE_AFTER_MS) {
            nudged = Date.now();
            await clock.advance(RIG_WORKER.pollMs);
          }
        }
      },
      untilState(id, ...states) {
        return r.until(
          async () => {
            const job = await backend.jobGet({ id });
            return job && states.includes(job.state) ? job : null;
          },
          `job ${id} to be ${states.join(' or ')}`,
        );
      },
      record(worker) {
        const log: { type: keyof WorkerEvents; jobId?: string; payload: unknown }[] = [];
        const types: (keyof WorkerEvents)[] = [
          'job:started',
          'job:completed',
          'job:retrying',
          'job:failed',
          'job:progress',
          'job:aborted',
        ];
        for (const type of types) {
          worker.on(type, (payload) => log.push({ type, jobId: (payload as { job: Job }).job.id, payload }));
        }
        return log;
      },
    };
    rig = r;
  });

  afterEach(async () => {
    if (!rig) return;
    for (const w of workers) await rig.stopWorker(w);
    for (const m of maintenances) await m.stop().catch(() => undefined);
    await rig.backend.close();
    rig = undefined;
  });

  return () => {
    if (!rig) throw new Error('the rig exists only inside a test');
    return rig;
  };
}
