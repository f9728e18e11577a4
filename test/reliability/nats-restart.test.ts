/**
 * Restart a nats-server (one of this test's own, on a free loopback port) while workers drain
 * jobs: they reconnect, maintenance recovers the jobs whose results were lost with the
 * connection, and every job still completes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import { Worker } from '../../src/worker/worker.js';
import { freePort } from '../helpers/throwaway-postgres.js';
import { ThrowawayNats, throwawayNatsMissing } from '../helpers/throwaway-nats.js';

const JOBS = 400;

const reason = throwawayNatsMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP nats-restart: ${reason}`);
}

async function until(fn: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(reason !== null)('nats restart', () => {
  let server: ThrowawayNats | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it('workers reconnect after a server restart and every job completes', { timeout: 90_000 }, async () => {
    server = new ThrowawayNats(await freePort());
    await server.start();
    const open = (): Promise<Backend> => openNatsBackend({ url: server!.url, clock: systemClock });
    const producer = await open();
    const client = new Client(producer);
    for (let i = 0; i < JOBS; i += 100) {
      await client.enqueueMany(Array.from({ length: 100 }, (_, k) => ({ type: 'work', payload: { n: i + k } })));
    }
    let ran = 0;
    let errors = 0;
    const backends = await Promise.all([open(), open(), open()]);
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
              await new Promise((r) => setTimeout(r, 5));
              ran++;
              return job.payload;
            },
          },
        }),
    );
    for (const w of workers) {
      w.on('error', () => void errors++); // errors while the server is down are expected
      await w.start();
    }
    const maintenance = new Maintenance({ backend: backends[2]!, clock: systemClock, intervalMs: 200, leaseMs: 1000 });
    maintenance.start();

    const completed = async (): Promise<number> =>
      (await producer.jobsCount({ queues: ['default'] }).catch(() => null))?.default?.completed ?? -1;
    await until(async () => (await completed()) >= JOBS / 4, 'a quarter of the jobs to complete', 30_000);
    await server.stop('SIGTERM');
    await server.start();
    await until(async () => (await completed()) === JOBS, 'every job to complete after the restart', 60_000);

    expect(errors).toBeGreaterThan(0); // the restart did hit the workers
    expect(ran).toBeGreaterThanOrEqual(JOBS);
    await Promise.all(workers.map((w) => w.stop()));
    await maintenance.stop();
    await Promise.all([producer, ...backends].map((b) => b.close()));
  });
});
