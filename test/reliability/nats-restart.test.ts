/**
 * Restart a nats-server (one of this test's own, on a free loopback port) while workers drain
 * jobs: they reconnect, maintenance recovers the jobs whose results were lost with the
 * connection, and every job still completes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { freePort } from '../helpers/throwaway-postgres.js';
import { ThrowawayNats, throwawayNatsMissing } from '../helpers/throwaway-nats.js';
import { runRestartScenario, skipWithout, totalRuns } from './restart-scenario.js';

const JOBS = 400;

describe.skipIf(skipWithout(throwawayNatsMissing(), 'nats-restart'))('nats restart', () => {
  let server: ThrowawayNats | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it('workers reconnect after a server restart and every job completes', { timeout: 90_000 }, async () => {
    server = new ThrowawayNats(await freePort());
    await server.start();
    const s = server;
    const run = await runRestartScenario({
      open: () => openNatsBackend({ url: s.url, clock: systemClock }),
      restart: async () => {
        await s.stop('SIGTERM');
        await s.start();
      },
      jobs: JOBS,
      batch: 100,
      workMs: 5,
      beforeMs: 30_000,
      afterMs: 60_000,
    });

    expect(run.errors).toBeGreaterThan(0); // the restart did hit the workers
    expect(totalRuns(run)).toBeGreaterThanOrEqual(JOBS);
  });
});
