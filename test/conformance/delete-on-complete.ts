/**
 * Conformance: jobs enqueued with `deleteOnComplete`. The flag is stored and claimed with the
 * job; a completion with `delete` removes the row and its `job.completed` event carries the
 * result; every other outcome keeps the row; `waitFor` still resolves with the result.
 */
import { describe, expect, it } from 'vitest';
import { JobFailedError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { GantryEvent } from '../../src/core/events.js';
import { newId } from '../../src/core/ids.js';
import type { ConformanceFactory } from './index.js';
import { claim, claimOne, enqueue, jobError, mustGet, recordEvents, useBackend } from './fixtures.js';
import { useRig } from './runtime-helpers.js';

/** `deleteOnComplete` against the Backend, then through a Worker and the Client. */
export function deleteOnCompleteGroup(factory: ConformanceFactory): void {
  describe('backend: deleteOnComplete', () => {
    const ctx = useBackend(factory);

    it('stores and claims the flag; a delete completion removes the row and its event carries the result', async () => {
      const gone = await enqueue(ctx, { deleteOnComplete: true });
      const kept = await enqueue(ctx);
      expect(gone.deleteOnComplete).toBe(true);
      expect((await mustGet(ctx, gone.id)).deleteOnComplete).toBe(true);
      expect((await mustGet(ctx, kept.id)).deleteOnComplete).toBe(false);
      const jobs = await claim(ctx, { limit: 2 });
      const byId = new Map(jobs.map((j) => [j.id, j]));
      expect(byId.get(gone.id)?.deleteOnComplete).toBe(true);
      expect(byId.get(kept.id)?.deleteOnComplete).toBe(false);

      const rec = await recordEvents(ctx, { filter: { types: ['job.completed'] } });
      // A wrong attempt is lost and leaves the row as it was.
      const wrong = await ctx.backend.jobsComplete({
        items: [{ id: gone.id, workerId: 'w1', attempt: 2, result: 1, delete: true }],
      });
      expect(wrong.lost).toEqual([gone.id]);
      expect((await mustGet(ctx, gone.id)).state).toBe('running');

      // One batch mixing both kinds.
      const res = await ctx.backend.jobsComplete({
        items: [
          { id: gone.id, workerId: 'w1', attempt: 1, result: { rows: 7 }, delete: true },
          { id: kept.id, workerId: 'w1', attempt: 1, result: 'kept' },
        ],
      });
      expect(res.lost).toEqual([]);
      expect(await ctx.backend.jobGet({ id: gone.id })).toBeNull();
      expect(await mustGet(ctx, kept.id)).toMatchObject({ state: 'completed', result: 'kept' });
      const e = await rec.waitFor((x) => x.jobId === gone.id, 'job.completed of the deleted job');
      expect(e).toMatchObject({ type: 'job.completed', state: 'completed', attempt: 1, workerId: 'w1' });
      expect(e.result).toEqual({ rows: 7 });
      const k = await rec.waitFor((x) => x.jobId === kept.id, 'job.completed of the kept job');
      // A kept job's event carries its (small) result too (see backend: events).
      expect(k.result).toBe('kept');
      await rec.stop();
      expect((await ctx.backend.jobsCount({ queues: ['default'] })).default?.completed).toBe(1);

      // Completing again finds nothing.
      const twice = await ctx.backend.jobsComplete({
        items: [{ id: gone.id, workerId: 'w1', attempt: 1, result: 1, delete: true }],
      });
      expect(twice.lost).toEqual([gone.id]);
    });

    it('keeps the row of every other outcome: retrying, failed, cancelled', async () => {
      const job = await enqueue(ctx, { deleteOnComplete: true, maxAttempts: 1 });
      const claimed = await claimOne(ctx);
      await ctx.backend.jobsFail({
        items: [{ id: job.id, workerId: 'w1', attempt: 1, error: jobError(ctx, claimed), retryAt: null }],
      });
      expect(await mustGet(ctx, job.id)).toMatchObject({ state: 'failed', deleteOnComplete: true });
      const other = await enqueue(ctx, { deleteOnComplete: true });
      await ctx.backend.jobCancel({ id: other.id });
      expect((await mustGet(ctx, other.id)).state).toBe('cancelled');
    });

    it('refuses deleteOnComplete with a unique window, and a value that is not a boolean', async () => {
      await expect(enqueue(ctx, { deleteOnComplete: true, uniqueKey: 'k', uniqueWindow: '1m' })).rejects.toThrow(
        ValidationError,
      );
      await expect(enqueue(ctx, { deleteOnComplete: 'yes' as unknown as boolean })).rejects.toThrow(
        /deleteOnComplete must be true or false/,
      );
      // A unique key alone is fine: it is held while the job is live.
      const a = await enqueue(ctx, { deleteOnComplete: true, uniqueKey: 'k' });
      expect(a.uniqueKey).toBe('k');
    });
  });

  describe('runtime: deleteOnComplete', () => {
    const rig = useRig(factory);

    it('a worker deletes the job when its handler returns; waitFor and events() still give the result', async () => {
      const { startWorker, client, until, untilState, clock } = rig();
      let calls = 0;
      await startWorker({
        handlers: {
          sum: (job) => {
            calls++;
            if (calls === 1) throw new Error('first attempt fails');
            const { a, b } = job.payload as { a: number; b: number };
            return { sum: a + b };
          },
        },
      });
      const events: GantryEvent[] = [];
      const iter = client.events({ filter: { types: ['job.completed', 'job.retrying'] } });
      const reading = (async () => {
        for await (const e of iter) events.push(e);
      })();
      const id = newId(Date.now());
      // waitFor before the job exists would be NotFound: enqueue first, then wait at once.
      const job = await client.enqueue('sum', { a: 2, b: 3 }, { id, deleteOnComplete: true, backoff: [1000] });
      const result = client.waitFor(job.id);
      // The failed first attempt keeps the row, as any job's does; the worker polls again on the clock.
      expect(await untilState(id, 'retrying')).toMatchObject({ deleteOnComplete: true, attempts: 1 });
      await clock.advance(1000);
      // Should the worker's poll have begun after that advance, `until` moves the clock on again.
      await until(() => events.some((e) => e.type === 'job.completed' && e.jobId === id), 'job.completed');
      await expect(result).resolves.toEqual({ sum: 5 });
      expect(calls).toBe(2);
      expect(await client.get(job.id)).toBeNull();
      expect(events.find((e) => e.type === 'job.completed')?.result).toEqual({ sum: 5 });
      expect(events.some((e) => e.type === 'job.retrying' && e.jobId === id)).toBe(true);
      await iter.return?.();
      await reading;
      // Once gone, there is nothing left to wait for.
      await expect(client.waitFor(job.id)).rejects.toThrow(NotFoundError);
    });

    it('enqueueAndWait listens before it enqueues: a job completed and deleted at once still gives its result', async () => {
      const { startWorker, client } = rig();
      await startWorker({
        handlers: {
          echo: (job) => job.payload,
          fail: () => {
            throw new Error('no luck');
          },
        },
      });
      for (let i = 0; i < 5; i++) {
        await expect(client.enqueueAndWait('echo', { i }, { deleteOnComplete: true })).resolves.toEqual({ i });
      }
      await expect(client.enqueueAndWait('echo', 'kept')).resolves.toBe('kept');
      await expect(client.enqueueAndWait('fail', null, { deleteOnComplete: true, maxAttempts: 1 })).rejects.toThrow(
        JobFailedError,
      );
      await expect(client.enqueueAndWait('bad type!')).rejects.toThrow(ValidationError);
    });
  });
}
