/**
 * One job maintenance cannot process never stops lease recovery for the others, on SQLite and
 * PostgreSQL: a job whose stored backoff would make an unrepresentable retry time (a value the
 * API refuses now, written into the store as an older version let it in), and a job whose
 * write the engine itself refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import { MAX_DURATION_MS } from '../../src/core/constants.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import type { Logger } from '../../src/worker/types.js';
import { REFUSAL, refuseWrites } from '../helpers/refuse-writes.js';
import { sqlEngines, type SqlStore } from '../helpers/sql-engines.js';

const engines = await sqlEngines();

/** A logger that keeps what was logged at error level. */
function recordingLogger(): Logger & { errors: { obj: unknown; msg?: string }[] } {
  const errors: { obj: unknown; msg?: string }[] = [];
  const none = (): void => undefined;
  return { errors, debug: none, info: none, warn: none, error: (obj, msg) => void errors.push({ obj, msg }) };
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`a poisoned job in maintenance on ${engine.name}`, () => {
    let clock: ManualClock;
    let store: SqlStore;
    let client: Client;

    beforeEach(async () => {
      clock = new ManualClock(Date.UTC(2030, 0, 1));
      store = await engine.open(clock);
      client = new Client(store.backend);
    });
    afterEach(() => store.close());

    /** Enqueues `ids` (plus one more each time, as a worker would) and lets their leases expire. */
    const expiredJobs = async (ids: string[]): Promise<void> => {
      for (const id of ids) await client.enqueue('t', null, { id, backoff: 1000, maxAttempts: 5 });
      const claimed = await store.backend.jobsClaim({
        workerId: 'dead',
        queues: ['default'],
        limit: 100,
        leaseMs: 1000,
      });
      expect(claimed).toHaveLength(ids.length);
      await clock.advance(2000);
    };

    it('recovers every other job when one has a stored backoff of 1e308 ms', async () => {
      await expiredJobs(['a', 'poisoned', 'b', 'c']);
      // What `backoff: [1e308]` stored before enqueue refused it.
      await store.sql('UPDATE jobs SET backoff = ? WHERE id = ?', ['{"type":"list","delaysMs":[1e308]}', 'poisoned']);
      const report = await new Maintenance({ backend: store.backend, clock }).runOnce();
      expect(report).toMatchObject({ recovered: 4, failed: 0 });
      for (const id of ['a', 'b', 'c']) expect((await client.get(id))!.state).toBe('retrying');
      const poisoned = (await client.get('poisoned'))!;
      expect(poisoned.state).toBe('retrying');
      // The retry time is bounded (`MAX_DURATION_MS`), so it is one every engine stores.
      expect(poisoned.runAt.getTime()).toBe(clock.now() + MAX_DURATION_MS);
    });

    it('isolates a job whose write the engine refuses: fails it with the reason, logs it, recovers the rest', async () => {
      await expiredJobs(['a', 'poisoned', 'b']);
      await refuseWrites(engine, store, { id: 'poisoned', states: ['retrying'] });
      const logger = recordingLogger();
      const report = await new Maintenance({ backend: store.backend, clock, logger }).runOnce();
      expect(report).toMatchObject({ recovered: 2, failed: 1 });
      for (const id of ['a', 'b']) expect((await client.get(id))!.state).toBe('retrying');
      const poisoned = (await client.get('poisoned'))!;
      expect(poisoned.state).toBe('failed');
      expect(poisoned.errors).toHaveLength(1);
      expect(poisoned.errors[0]).toMatchObject({
        code: 'UNSTORABLE',
        attempt: 1,
        message: expect.stringContaining(`the engine refused to store attempt 1's failure: `),
      });
      expect(poisoned.errors[0]!.message).toContain(REFUSAL);
      expect(logger.errors).toEqual([
        { obj: expect.objectContaining({ jobId: 'poisoned' }), msg: expect.stringMatching(/failing the job/) },
      ]);
      // Next tick: nothing left to recover, nothing logged again.
      await new Maintenance({ backend: store.backend, clock, logger }).runOnce();
      expect(logger.errors).toHaveLength(1);
    });

    it('recovers the rest even when the engine refuses to fail the job too, and says so', async () => {
      await expiredJobs(['a', 'poisoned', 'b']);
      await refuseWrites(engine, store, { id: 'poisoned', states: ['retrying', 'failed'] });
      const logger = recordingLogger();
      const report = await new Maintenance({ backend: store.backend, clock, logger }).runOnce();
      expect(report).toMatchObject({ recovered: 2, failed: 0 });
      for (const id of ['a', 'b']) expect((await client.get(id))!.state).toBe('retrying');
      expect((await client.get('poisoned'))!.state).toBe('running');
      expect(logger.errors.map((e) => e.msg)).toEqual([
        expect.stringMatching(/failing the job without retry/),
        expect.stringMatching(/refused to fail the job too; it stays running/),
      ]);
    });
  });
}
