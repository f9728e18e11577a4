/**
 * `gantry worker` through PostgreSQL outages, as a real process against a throwaway server of
 * this file's own: it rides out `pg_ctl stop -m fast` and `-m immediate` (logging the outage
 * and the return), keeps the lease of a job that runs across both, and runs new jobs after
 * each restart; with `--outage-limit` it gives up, says why and exits non-zero.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import type { Job } from '../../src/core/job.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { fixture, killAll, spawnGantry, waitUntil, type Running } from '../cli/cli-helpers.js';
import { freePort, ThrowawayPostgres, throwawayPostgresMissing } from '../helpers/throwaway-postgres.js';

const reason = throwawayPostgresMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP worker-outage: ${reason}`);
}

/** The JSON log lines a worker wrote so far. */
function logLines(w: Running): { msg?: string; level?: number; [k: string]: unknown }[] {
  return w.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string });
}

const count = (w: Running, msg: string): number => logLines(w).filter((l) => l.msg === msg).length;

/** Waits for `cond`, failing at once (with the worker's output) if the worker exits meanwhile. */
async function whileAlive(w: Running, cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitUntil(
    async () => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) {
        throw new Error(`the worker exited (code ${w.child.exitCode}) waiting for ${what}; stderr:\n${w.stderr}`);
      }
      return cond();
    },
    what,
    { timeoutMs: 40_000, intervalMs: 50 },
  );
}

describe.skipIf(reason !== null)('gantry worker through PostgreSQL outages', { timeout: 120_000 }, () => {
  let server: ThrowawayPostgres;
  let producer: Backend;
  let client: Client;
  const children: Running[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gantry-outage-'));

  beforeAll(async () => {
    server = new ThrowawayPostgres(await freePort());
    server.start();
    producer = await openPostgresBackend({ url: server.url, clock: systemClock });
    client = new Client(producer);
  });
  afterEach(() => killAll(children));
  afterAll(async () => {
    await producer?.close();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = (...extra: string[]): Running => {
    const w = spawnGantry(
      [
        '--url',
        server.url,
        'worker',
        '--handlers',
        fixture('outage-handlers.mjs'),
        '--poll',
        '100ms',
        '--log-level',
        'debug',
        ...extra,
      ],
      { env: { GANTRY_LOG_FORMAT: 'json' } },
    );
    children.push(w);
    return w;
  };

  /** The job as stored; `null` while the server cannot answer. */
  const read = (id: string): Promise<Job | null> => client.get(id).catch(() => null);

  /** Enqueues quick jobs (retrying while the producer's pool reconnects) and waits for them. */
  async function runQuickJobs(w: Running, n: number): Promise<void> {
    let jobs: Job[] = [];
    await whileAlive(
      w,
      async () => {
        jobs = await client
          .enqueueMany(Array.from({ length: n }, (_, i) => ({ type: 'quick', payload: { n: i } })))
          .catch(() => []);
        return jobs.length === n;
      },
      'an enqueue to succeed',
    );
    await whileAlive(
      w,
      async () => (await Promise.all(jobs.map((j) => read(j.id)))).every((j) => j?.state === 'completed'),
      `${n} quick jobs to complete`,
    );
  }

  it('rides out a fast and an immediate stop, keeps a running job’s lease, and logs each outage', async () => {
    const w = startWorker('--lease', '60s');
    await whileAlive(w, () => count(w, 'worker started') === 1, 'the worker to start');
    await runQuickJobs(w, 5);
    const marker = join(dir, 'release-hold');
    const hold = await client.enqueue('hold', { marker });
    await whileAlive(w, async () => (await read(hold.id))?.state === 'running', 'the held job to run');

    for (const mode of ['fast', 'immediate'] as const) {
      // A job that ends while the server is down: its outcome is written once it is back.
      const ending = join(dir, `release-${mode}`);
      const during = await client.enqueue('hold', { marker: ending });
      await whileAlive(w, async () => (await read(during.id))?.state === 'running', 'the job to run');
      const downs = count(w, 'engine unreachable: retrying with backoff; running jobs go on');
      const ups = count(w, 'engine reachable again');
      server.pgCtlStop(mode);
      await whileAlive(
        w,
        () => count(w, 'engine unreachable: retrying with backoff; running jobs go on') > downs,
        `the worker to log the outage (${mode})`,
      );
      writeFileSync(ending, '');
      await whileAlive(
        w,
        () => logLines(w).some((l) => l.msg === 'worker error: engine unreachable' && l.during === 'record outcome'),
        `the outcome write to fail while the server is down (${mode})`,
      );
      server.start();
      await whileAlive(w, () => count(w, 'engine reachable again') > ups, `the worker to log the return (${mode})`);
      await whileAlive(w, async () => (await read(during.id))?.state === 'completed', 'the outcome to be written');
      expect(await read(during.id)).toMatchObject({ attempts: 1, result: 'released' });
      await runQuickJobs(w, 5);
    }

    writeFileSync(marker, '');
    await whileAlive(w, async () => (await read(hold.id))?.state === 'completed', 'the held job to complete');
    // One attempt: its lease held through both outages, so the result was recorded, not retried.
    expect(await read(hold.id)).toMatchObject({ state: 'completed', attempts: 1, result: 'released' });

    w.child.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code, exit.stderr).toBe(0);
  });

  it('gives up after --outage-limit, says why, and exits non-zero', async () => {
    const w = startWorker('--outage-limit', '2s');
    await whileAlive(w, () => count(w, 'worker started') === 1, 'the worker to start');
    await runQuickJobs(w, 2);
    server.pgCtlStop('fast');
    try {
      const exit = await w.exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(/giving up: the engine has been unreachable for 2\.0s \(--outage-limit\)/);
    } finally {
      server.start();
    }
  });
});
