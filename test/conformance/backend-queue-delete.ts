/**
 * Conformance: removing a queue. Only a queue without jobs (in any state) loses its settings;
 * a queue that holds jobs, or that does not exist, is left as it is and the answer says why.
 */
import { describe, expect, it } from 'vitest';
import type { ConformanceFactory } from './index.js';
import { claimOne, enqueue, jobError, useBackend } from './fixtures.js';

/** `queueDelete`, directly against the Backend. */
export function backendQueueDeleteGroup(factory: ConformanceFactory): void {
  describe('backend: queue delete', () => {
    const ctx = useBackend(factory);
    const names = async (): Promise<string[]> => (await ctx.backend.queuesList()).map((q) => q.name);

    it('deletes a paused queue that has no jobs; enqueueing to it later starts afresh', async () => {
      await ctx.backend.queueUpdate({ queue: 'typo', settings: { paused: true, concurrency: 2 } });
      expect(await names()).toContain('typo');
      expect(await ctx.backend.queueDelete({ queue: 'typo' })).toEqual({ deleted: true, jobs: 0 });
      expect(await names()).not.toContain('typo');
      await enqueue(ctx, { queue: 'typo' });
      expect((await ctx.backend.queuesList()).find((q) => q.name === 'typo')).toMatchObject({
        paused: false,
        concurrency: null,
      });
      expect(await claimOne(ctx, { queues: ['typo'] })).toMatchObject({ queue: 'typo' });
    });

    it('refuses while the queue holds a job in any state, and keeps its settings', async () => {
      await ctx.backend.queueUpdate({ queue: 'busy', settings: { paused: true } });
      const job = await enqueue(ctx, { queue: 'busy', maxAttempts: 1 });
      await enqueue(ctx, { queue: 'busy', delay: 60_000 });
      expect(await ctx.backend.queueDelete({ queue: 'busy' })).toEqual({ deleted: false, jobs: 2 });
      await ctx.backend.queueUpdate({ queue: 'busy', settings: { paused: false } });
      const claimed = await claimOne(ctx, { queues: ['busy'] });
      expect(claimed.id).toBe(job.id);
      expect(await ctx.backend.queueDelete({ queue: 'busy' })).toEqual({ deleted: false, jobs: 2 });
      // A finished job counts too: its queue stays listed while the job is kept.
      await ctx.backend.jobsFail({
        items: [{ id: job.id, workerId: 'w1', attempt: 1, error: jobError(ctx, claimed), retryAt: null }],
      });
      expect(await ctx.backend.queueDelete({ queue: 'busy' })).toEqual({ deleted: false, jobs: 2 });
      expect((await ctx.backend.queuesList()).find((q) => q.name === 'busy')).toMatchObject({ paused: false });
    });

    it('finds no queue that was never made', async () => {
      expect(await ctx.backend.queueDelete({ queue: 'never' })).toEqual({ deleted: false, jobs: 0 });
    });
  });
}
