/**
 * Conformance: what a prefetching worker needs from a claim (docs/architecture.md, "The worker's hot path"). `prefetch` takes jobs
 * beyond `limit` only from queues without a concurrency cap, and `jobsRelease` hands back a
 * claim that never started without spending an attempt.
 */
import { describe, expect, it } from 'vitest';
import type { ConformanceFactory } from './index.js';
import { claim, enqueue, enqueueMany, LEASE_MS, mustGet, recordEvents, useBackend } from './fixtures.js';

/** Prefetching claims and hand-back. */
export function backendPrefetchGroup(factory: ConformanceFactory): void {
  describe('backend: prefetch and release', () => {
    const ctx = useBackend(factory);
    const prefetchClaim = (workerId: string, queues: string[], limit: number, prefetch: number) =>
      ctx.backend.jobsClaim({ workerId, queues, limit, prefetch, leaseMs: LEASE_MS });

    it('prefetches beyond the limit from uncapped queues only, never past a cap', async () => {
      await ctx.backend.queueUpdate({ queue: 'capped', settings: { concurrency: 4 } });
      await enqueueMany(ctx, [
        ...Array.from({ length: 6 }, () => ({ queue: 'capped' })),
        ...Array.from({ length: 6 }, () => ({ queue: 'free' })),
      ]);
      // The capped queue gives only the free slots (2); the uncapped one fills the prefetch.
      const a = await prefetchClaim('w-a', ['capped', 'free'], 2, 5);
      expect(a.map((j) => j.queue)).toEqual(['capped', 'capped', 'free', 'free', 'free', 'free', 'free']);
      // The cap counts every running job, prefetched or not: 2 left of 4.
      const b = await prefetchClaim('w-b', ['capped'], 5, 5);
      expect(b).toHaveLength(2);
      expect(await prefetchClaim('w-c', ['capped'], 5, 5)).toEqual([]);
      expect(await prefetchClaim('w-c', ['free'], 1, 0)).toHaveLength(1);
    });

    it('takes no more than the limit from several capped queues together', async () => {
      for (const q of ['c1', 'c2']) await ctx.backend.queueUpdate({ queue: q, settings: { concurrency: 10 } });
      await enqueueMany(ctx, [...Array.from({ length: 3 }, () => ({ queue: 'c1' })), { queue: 'c2' }, { queue: 'c2' }]);
      const got = await prefetchClaim('w', ['c1', 'c2'], 4, 20);
      expect(got.map((j) => j.queue)).toEqual(['c1', 'c1', 'c1', 'c2']);
    });

    it('hands a never-started claim back without spending an attempt', async () => {
      const job = await enqueue(ctx, { maxAttempts: 1 });
      const rec = await recordEvents(ctx, { filter: { jobId: job.id } });
      const [got] = await claim(ctx, { workerId: 'w-a' });
      const wrong = await ctx.backend.jobsRelease({ items: [{ id: job.id, workerId: 'w-b', attempt: 1 }] });
      expect(wrong.lost).toEqual([job.id]);
      const res = await ctx.backend.jobsRelease({ items: [{ id: job.id, workerId: 'w-a', attempt: got!.attempts }] });
      expect(res.lost).toEqual([]);
      const back = await mustGet(ctx, job.id);
      expect(back).toMatchObject({ state: 'queued', attempts: 0, workerId: null, leaseUntil: null, errors: [] });
      await rec.waitFor((e) => e.type === 'job.enqueued' && e.attempt === 0, 'the hand-back event');
      await rec.stop();
      // Released again, it is the next claim, with its one attempt intact.
      const [again] = await claim(ctx, { workerId: 'w-b' });
      expect(again).toMatchObject({ id: job.id, attempts: 1, workerId: 'w-b' });
      const stale = await ctx.backend.jobsRelease({ items: [{ id: job.id, workerId: 'w-a', attempt: 1 }] });
      expect(stale.lost).toEqual([job.id]);
    });
  });
}
