/**
 * Restart a PostgreSQL server (a throwaway one of this test's own, on a free loopback port)
 * while workers drain jobs: they reconnect, maintenance recovers the jobs whose results were
 * lost with the connection, and every job still completes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { freePort, ThrowawayPostgres, throwawayPostgresMissing } from '../helpers/throwaway-postgres.js';
import { runRestartScenario, skipWithout, totalRuns } from './restart-scenario.js';

const JOBS = 400;

describe.skipIf(skipWithout(throwawayPostgresMissing(), 'postgres-restart'))('postgres restart', () => {
  let server: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it('workers reconnect after a server restart and every job completes', { timeout: 60_000 }, async () => {
    server = new ThrowawayPostgres(await freePort());
    server.start();
    const s = server;
    const run = await runRestartScenario({
      open: () => openPostgresBackend({ url: s.url, clock: systemClock }),
      restart: async () => {
        await s.stop('SIGQUIT');
        s.start();
      },
      jobs: JOBS,
      batch: 100,
      workMs: 5,
      beforeMs: 20_000,
      afterMs: 40_000,
    });

    expect(run.errors).toBeGreaterThan(0); // the restart did hit the workers
    expect(totalRuns(run)).toBeGreaterThanOrEqual(JOBS);
  });
});
