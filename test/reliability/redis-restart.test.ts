/**
 * Restart a Redis server of this test's own (append-only file on, `appendfsync always`) with
 * SIGKILL while workers drain jobs: the workers reconnect by themselves, maintenance recovers
 * the jobs whose results were lost with the connection, and every job completes, none lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import { openRedisBackend } from '../../src/engines/redis/index.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import { Worker } from '../../src/worker/worker.js';
import { freePort, ThrowawayRedis, throwawayRedisMissing } from '../helpers/throwaway-redis.js';

const JOBS = 2000;

const reason = throwawayRedisMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP redis-restart: ${reason}`);
}

async function until(fn: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(reason !== null)('redis restart', () => {
  let server: ThrowawayRedis | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it(
    'workers reconnect after a SIGKILL and restart of Redis, and every job completes',
    { timeout: 90_000 },
    async () => {
      server = new ThrowawayRedis(await freePort(), ['--appendonly', 'yes', '--appendfsync', 'always']);
      await server.start();
      const open = (): Promise<Backend> => openRedisBackend({ url: server!.url, clock: systemClock });
      const producer = await open();
      const client = new Client(producer);
      const ids = new Set<string>();
      for (let i = 0; i < JOBS; i += 500) {
        const jobs = await client.enqueueMany(
          Array.from({ length: 500 }, (_, k) => ({ type: 'work', payload: { n: i + k }, backoff: 100 })),
        );
        for (const j of jobs) ids.add(j.id);
      }
      const ran = new Map<string, number>();
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
                await new Promise((r) => setTimeout(r, 2));
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
      const maintenance = new Maintenance({
        backend: backends[2]!,
        clock: systemClock,
        intervalMs: 200,
        leaseMs: 1000,
      });
      maintenance.start();

      const completed = async (): Promise<number> =>
        (await producer.jobsCount({ queues: ['default'] }).catch(() => null))?.default?.completed ?? -1;
      await until(async () => (await completed()) >= JOBS / 4, 'a quarter of the jobs to complete', 30_000);
      await server.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await server.start();
      await until(async () => (await completed()) === JOBS, 'every job to complete after the restart', 60_000);

      expect(errors).toBeGreaterThan(0); // the restart did hit the workers
      // Every job enqueued is there, completed; each ran at least once.
      const counts = (await producer.jobsCount({ queues: ['default'] })).default!;
      expect(counts).toMatchObject({ completed: JOBS, queued: 0, running: 0, retrying: 0, failed: 0 });
      for (const id of ids) expect(ran.get(id) ?? 0).toBeGreaterThanOrEqual(1);
      await Promise.all(workers.map((w) => w.stop()));
      await maintenance.stop();
      await Promise.all([producer, ...backends].map((b) => b.close()));
    },
  );
});
