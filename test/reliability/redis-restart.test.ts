/**
 * Restart a Redis server of this test's own (append-only file on, `appendfsync always`) with
 * SIGKILL while workers drain jobs: the workers reconnect by themselves, maintenance recovers
 * the jobs whose results were lost with the connection, and every job completes, none lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openRedisBackend } from '../../src/engines/redis/index.js';
import { freePort, ThrowawayRedis, throwawayRedisMissing } from '../helpers/throwaway-redis.js';
import { runRestartScenario, skipWithout } from './restart-scenario.js';

const JOBS = 2000;

describe.skipIf(skipWithout(throwawayRedisMissing(), 'redis-restart'))('redis restart', () => {
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
      const s = server;
      const run = await runRestartScenario({
        open: () => openRedisBackend({ url: s.url, clock: systemClock }),
        restart: async () => {
          await s.stop('SIGKILL');
          await new Promise((r) => setTimeout(r, 300));
          await s.start();
        },
        jobs: JOBS,
        batch: 500,
        backoff: 100,
        workMs: 2,
        beforeMs: 30_000,
        afterMs: 60_000,
      });

      expect(run.errors).toBeGreaterThan(0); // the restart did hit the workers
      // Every job enqueued is there, completed; each ran at least once.
      expect(run.counts).toMatchObject({ completed: JOBS, queued: 0, running: 0, retrying: 0, failed: 0 });
      for (const id of run.ids) expect(run.ran.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    },
  );
});
