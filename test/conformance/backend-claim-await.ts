/**
 * Conformance: `jobsClaimAwait`, a wait for a wake-up that claims (docs/architecture.md,
 * "Delivery"): it answers the jobs of a wake-up already claimed, claims nothing once its time
 * or signal ends it, and misses no job enqueued between two waits.
 */
import { describe, expect, it } from 'vitest';
import type { ClaimAwaitParams } from '../../src/backend/backend.js';
import type { Job } from '../../src/core/job.js';
import type { ConformanceFactory } from './index.js';
import { claim, enqueue, enqueueMany, mustGet, useBackend, waitUntil, type BackendContext } from './fixtures.js';

/** Starts a claim that waits on `queue`; `done` tells whether it has answered. */
function awaitClaim(
  ctx: BackendContext,
  queue: string,
  opts: Partial<ClaimAwaitParams> = {},
): { answer: Promise<Job[]>; done: () => boolean } {
  let settled = false;
  const answer = ctx.backend
    .jobsClaimAwait({ workerId: 'w-a', queues: [queue], limit: 5, leaseMs: 5_000, timeoutMs: 60_000, ...opts })
    .finally(() => (settled = true));
  return { answer, done: () => settled };
}

/** `jobsClaimAwait` semantics, directly against the Backend. */
export function backendClaimAwaitGroup(factory: ConformanceFactory): void {
  describe('backend: claim on wake-up', () => {
    const ctx = useBackend(factory);

    it('answers a job enqueued while it waits, claimed with lease and start time from the clock', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      const wait = awaitClaim(ctx, 'ca');
      const job = await enqueue(ctx, { queue: 'ca' });
      const [got, ...more] = await wait.answer;
      expect(more).toEqual([]);
      expect(got).toMatchObject({ id: job.id, state: 'running', attempts: 1, workerId: 'w-a' });
      expect(got!.startedAt!.getTime()).toBe(ctx.clock.now());
      expect(got!.leaseUntil!.getTime()).toBe(ctx.clock.now() + 5_000);
      expect(await mustGet(ctx, job.id)).toEqual(got);
    });

    it('claims at most limit jobs of a wake-up, in claim order', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      const wait = awaitClaim(ctx, 'cl', { limit: 2 });
      const jobs = await enqueueMany(ctx, [
        { queue: 'cl', priority: 'low' },
        { queue: 'cl', priority: 'critical' },
        { queue: 'cl' },
      ]);
      const got = await wait.answer;
      expect(got.map((j) => j.id)).toEqual([jobs[1]!.id, jobs[2]!.id]);
      expect((await claim(ctx, { queues: ['cl'] })).map((j) => j.id)).toEqual([jobs[0]!.id]);
    });

    it('misses no job enqueued while nobody waited, between two waits', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      const first = awaitClaim(ctx, 'cg', { limit: 1 });
      const a = await enqueue(ctx, { queue: 'cg' });
      expect((await first.answer).map((j) => j.id)).toEqual([a.id]);
      const b = await enqueue(ctx, { queue: 'cg' });
      const second = awaitClaim(ctx, 'cg', { limit: 1 });
      expect((await second.answer).map((j) => j.id)).toEqual([b.id]);
    });

    it('answers [] once timeoutMs passes on the clock, and leaves later jobs queued', async () => {
      const wait = awaitClaim(ctx, 'ct', { timeoutMs: 1_000 });
      await ctx.clock.advance(999);
      expect(wait.done()).toBe(false);
      await ctx.clock.advance(1);
      expect(await wait.answer).toEqual([]);
      const job = await enqueue(ctx, { queue: 'ct' });
      expect((await mustGet(ctx, job.id)).state).toBe('queued');
      expect((await claim(ctx, { queues: ['ct'] })).map((j) => j.id)).toEqual([job.id]);
    });

    it('answers [] soon after the signal aborts, and leaves later jobs queued', async () => {
      const ac = new AbortController();
      const wait = awaitClaim(ctx, 'cs', { signal: ac.signal });
      ac.abort();
      await waitUntil(wait.done, 5_000, 'the wait to end on abort');
      expect(await wait.answer).toEqual([]);
      const job = await enqueue(ctx, { queue: 'cs' });
      expect((await mustGet(ctx, job.id)).state).toBe('queued');
      const pre = new AbortController();
      pre.abort();
      expect(await awaitClaim(ctx, 'cs', { signal: pre.signal }).answer).toEqual([]);
      expect((await mustGet(ctx, job.id)).state).toBe('queued');
    });

    it('lets another claim of the same backend wait at the same time', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      const one = awaitClaim(ctx, 'c1', { workerId: 'w-1' });
      const two = awaitClaim(ctx, 'c2', { workerId: 'w-2' });
      const [a, b] = [await enqueue(ctx, { queue: 'c1' }), await enqueue(ctx, { queue: 'c2' })];
      expect((await one.answer).map((j) => [j.id, j.workerId])).toEqual([[a.id, 'w-1']]);
      expect((await two.answer).map((j) => [j.id, j.workerId])).toEqual([[b.id, 'w-2']]);
    });
  });
}
