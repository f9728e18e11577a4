/**
 * An engine server of the test's own is restarted while two workers drain jobs: they ride out
 * the outage, maintenance recovers the jobs whose results were lost with the connection, and
 * every job completes. Each engine's restart test runs `runRestartScenario` with its server and
 * asserts on what it answers.
 */
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import type { StateCounts } from '../../src/core/queue-rules.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import { systemClock } from '../../src/core/clock.js';
import { Worker } from '../../src/worker/worker.js';

/** Throws under CI when the test's own server cannot be started, else warns; answers whether to skip. */
export function skipWithout(reason: string | null, test: string): boolean {
  if (reason === null) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP ${test}: ${reason}`);
  return true;
}

async function until(fn: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a run is given. */
export interface RestartRun {
  /** Opens a backend on the test's server (with the system clock). */
  open(): Promise<Backend>;
  /** Stops the server and starts it again. */
  restart(): Promise<void>;
  jobs: number;
  /** Jobs per `enqueueMany`. */
  batch: number;
  /** Each job's own backoff, ms, when given. */
  backoff?: number;
  /** Real ms each handler takes. */
  workMs: number;
  /** Real ms to wait for a quarter of the jobs before the restart, and for all of them after. */
  beforeMs: number;
  afterMs: number;
}

/** What a run found. */
export interface RestartOutcome {
  ids: Set<string>;
  /** Runs of each job's handler. */
  ran: Map<string, number>;
  /** Worker errors (the restart must have caused some). */
  errors: number;
  /** The queue's counts at the end. */
  counts: StateCounts;
}

/** Enqueues, drains through a restart, stops everything, and answers what it saw. */
export async function runRestartScenario(r: RestartRun): Promise<RestartOutcome> {
  const producer = await r.open();
  const client = new Client(producer);
  const ids = new Set<string>();
  for (let i = 0; i < r.jobs; i += r.batch) {
    const jobs = await client.enqueueMany(
      Array.from({ length: r.batch }, (_, k) => ({
        type: 'work',
        payload: { n: i + k },
        ...(r.backoff === undefined ? {} : { backoff: r.backoff }),
      })),
    );
    for (const j of jobs) ids.add(j.id);
  }
  const ran = new Map<string, number>();
  let errors = 0;
  const backends = await Promise.all([r.open(), r.open(), r.open()]);
  const workers = backends.slice(0, 2).map(
    (backend) =>
      new Worker({
        backend,
        clock: systemClock,
        concurrency: 5,
        pollMs: 100,
        leaseMs: 1500,
        heartbeatMs: 500,
        shutdownTimeoutMs: 2000,
        handlers: {
          work: async (job) => {
            await new Promise((resolve) => setTimeout(resolve, r.workMs));
            ran.set(job.id, (ran.get(job.id) ?? 0) + 1);
            return job.payload;
          },
        },
      }),
  );
  for (const w of workers) {
    w.on('error', () => void errors++); // failures while the server is down are expected
    await w.start();
  }
  const maintenance = new Maintenance({ backend: backends[2]!, clock: systemClock, intervalMs: 200, leaseMs: 1000 });
  maintenance.start();

  const completed = async (): Promise<number> =>
    (await producer.jobsCount({ queues: ['default'] }).catch(() => null))?.default?.completed ?? -1;
  await until(async () => (await completed()) >= r.jobs / 4, 'a quarter of the jobs to complete', r.beforeMs);
  await r.restart();
  await until(async () => (await completed()) === r.jobs, 'every job to complete after the restart', r.afterMs);

  const counts = (await producer.jobsCount({ queues: ['default'] })).default!;
  await Promise.all(workers.map((w) => w.stop()));
  await maintenance.stop();
  await Promise.all([producer, ...backends].map((b) => b.close()));
  return { ids, ran, errors, counts };
}

/** Handler runs of every job together. */
export function totalRuns(o: RestartOutcome): number {
  let n = 0;
  for (const v of o.ran.values()) n += v;
  return n;
}
