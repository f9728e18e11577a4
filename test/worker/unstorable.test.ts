/**
 * A handler's outcome that an engine cannot store fails its attempt once, with the reason,
 * instead of looping through lease expiries; and one such outcome never holds back the others
 * written with it. On SQLite and PostgreSQL, with the TypeScript worker as a user runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import { JobFailedError } from '../../src/core/errors.js';
import type { Job } from '../../src/core/job.js';
import { Worker } from '../../src/worker/worker.js';
import { REFUSAL, refuseWrites } from '../helpers/refuse-writes.js';
import { sqlEngines, type SqlStore } from '../helpers/sql-engines.js';

const engines = await sqlEngines();

for (const engine of engines) {
  describe.skipIf(!engine.available)(`unstorable outcomes on ${engine.name}`, () => {
    let clock: ManualClock;
    let store: SqlStore;
    let client: Client;
    let worker: Worker | undefined;

    beforeEach(async () => {
      clock = new ManualClock();
      store = await engine.open(clock);
      client = new Client(store.backend);
    });
    afterEach(async () => {
      await worker?.stop();
      worker = undefined;
      await store.close();
    });

    /** Runs `handler` for type `t` on a worker of this engine. */
    const run = async (handler: (job: Job) => unknown): Promise<void> => {
      worker = new Worker({ backend: store.backend, clock, shutdownTimeoutMs: 0, handlers: { t: handler } });
      await worker.start();
    };

    /** Enqueues a job of type `t`, waits until it ends, and answers it. */
    const ended = async (id: string, maxAttempts = 3): Promise<Job> => {
      await client.enqueue('t', null, { id, maxAttempts, backoff: 0 });
      await client.waitFor(id).catch((err: unknown) => expect(err).toBeInstanceOf(JobFailedError));
      return (await client.get(id))!;
    };

    it('fails a job whose result holds U+0000 once, without retry, saying where', async () => {
      await run(() => ({ rows: ['ok', 'bad\u0000byte'] }));
      const job = await ended('nul-result');
      expect(job).toMatchObject({ state: 'failed', attempts: 1, result: null });
      expect(job.errors).toHaveLength(1);
      expect(job.errors[0]).toMatchObject({
        code: 'UNSTORABLE',
        message: expect.stringMatching(/result cannot be stored: result\.rows\[1\] contains the character U\+0000/),
      });
    });

    it('fails a job whose result is over 1 MiB once, without retry', async () => {
      await run(() => 'x'.repeat(1024 * 1024));
      const job = await ended('big-result');
      expect(job).toMatchObject({ state: 'failed', attempts: 1 });
      expect(job.errors[0]).toMatchObject({
        code: 'UNSTORABLE',
        message: expect.stringMatching(/result is \d+ bytes, over the limit of 1048576/),
      });
    });

    it('records an error message holding U+0000 and a lone surrogate, with U+FFFD in their place', async () => {
      await run(() => {
        throw new Error('bad\u0000byte \ud800');
      });
      const job = await ended('nul-error', 1);
      expect(job).toMatchObject({ state: 'failed', attempts: 1 });
      expect(job.errors[0]!.message).toBe('bad\ufffdbyte \ufffd');
      expect(job.errors[0]!.stack).toMatch(/^Error: bad\ufffdbyte/);
    });

    it('completes the other jobs of a batch whose one completion the engine refuses, and fails that one once', async () => {
      await refuseWrites(engine, store, { id: 'poisoned', states: ['completed'] });
      const ids = ['a', 'b', 'poisoned', 'c', 'd'];
      await client.enqueueMany(ids.map((id) => ({ type: 't', id, maxAttempts: 3 })));
      await run((job) => `done ${job.id}`);
      for (const id of ids.filter((i) => i !== 'poisoned')) expect(await client.waitFor(id)).toBe(`done ${id}`);
      await expect(client.waitFor('poisoned')).rejects.toThrow(JobFailedError);
      const poisoned = (await client.get('poisoned'))!;
      expect(poisoned).toMatchObject({ state: 'failed', attempts: 1 });
      expect(poisoned.errors[0]).toMatchObject({
        code: 'UNSTORABLE',
        message: expect.stringContaining(`the engine refused to store attempt 1's result: `),
      });
      expect(poisoned.errors[0]!.message).toContain(REFUSAL);
    });
  });
}
