/** Conformance: claims (docs/architecture.md, "Delivery"): order, delays, caps, pause, types, queue order. */
import { describe, expect, it } from 'vitest';
import type { ConformanceFactory } from './index.js';
import { claim, enqueue, enqueueMany, LEASE_MS, mustGet, useBackend } from './fixtures.js';

/** Claim semantics, directly against the Backend. */
export function backendClaimGroup(factory: ConformanceFactory): void {
  describe('backend: claim', () => {
    const ctx = useBackend(factory);

    it('sets running, attempts + 1, worker, lease and start time', async () => {
      const job = await enqueue(ctx);
      const [got] = await claim(ctx, { workerId: 'w-a', leaseMs: 5_000 });
      expect(got).toMatchObject({ id: job.id, state: 'running', attempts: 1, workerId: 'w-a' });
      expect(got!.leaseUntil!.getTime()).toBe(ctx.clock.now() + 5_000);
      expect(got!.startedAt!.getTime()).toBe(ctx.clock.now());
      expect(await mustGet(ctx, job.id)).toEqual(got);
      expect(await claim(ctx)).toEqual([]);
    });

    it('returns every field as stored, whatever characters the values hold', async () => {
      const odd = 'quote " back \\ slash / ünï ✓ \n line';
      const job = await enqueue(ctx, {
        payload: { s: odd, n: -1.5e-7, deep: [{ k: null }, true] },
        uniqueKey: odd,
        uniqueWindow: '1m',
        deadline: ctx.clock.now() + 60_000,
        timeout: '2s',
        tags: [odd, 't'],
        metadata: { [odd]: odd },
      });
      const [got] = await claim(ctx);
      expect(got).toMatchObject({ payload: job.payload, uniqueKey: odd, tags: [odd, 't'], metadata: { [odd]: odd } });
      expect(await mustGet(ctx, job.id)).toEqual(got);
    });

    it('orders by priority desc, then runAt and id (claimOrder total) or arrival (priority-fifo)', async () => {
      const low = await enqueue(ctx, { id: 'a-low', priority: 'low' });
      const late = await enqueue(ctx, { id: 'b-late', runAt: new Date(ctx.clock.now() - 1_000) });
      const early = await enqueue(ctx, { id: 'c-early', runAt: new Date(ctx.clock.now() - 5_000) });
      const idB = await enqueue(ctx, { id: 'e-same' });
      const idA = await enqueue(ctx, { id: 'd-same' });
      const crit = await enqueue(ctx, { id: 'f-crit', priority: 'critical' });
      const within =
        ctx.backend.capabilities.claimOrder === 'total' ? [early, late, idA, idB] : [late, early, idB, idA];
      const order = [crit, ...within, low].map((j) => j.id);
      const got = await claim(ctx, { limit: 3 });
      const rest = await claim(ctx, { limit: 10 });
      expect([...got, ...rest].map((j) => j.id)).toEqual(order);
    });

    it('claims at most limit jobs and every job once', async () => {
      await enqueueMany(
        ctx,
        Array.from({ length: 25 }, () => ({})),
      );
      const a = await claim(ctx, { workerId: 'w1', limit: 10 });
      const b = await claim(ctx, { workerId: 'w2', limit: 10 });
      const c = await claim(ctx, { workerId: 'w3', limit: 10 });
      expect([a.length, b.length, c.length]).toEqual([10, 10, 5]);
      expect(new Set([...a, ...b, ...c].map((j) => j.id)).size).toBe(25);
    });

    it('keeps a delayed job invisible until the clock reaches its runAt', async () => {
      const job = await enqueue(ctx, { delay: 10_000 });
      expect(await claim(ctx)).toEqual([]);
      await ctx.clock.advance(9_999);
      expect(await claim(ctx)).toEqual([]);
      await ctx.clock.advance(1);
      expect((await claim(ctx)).map((j) => j.id)).toEqual([job.id]);
    });

    it('fills queues in the order given', async () => {
      await enqueueMany(ctx, [
        { queue: 'q1', id: 'one' },
        { queue: 'q2', id: 'two-a' },
        { queue: 'q2', id: 'two-b' },
      ]);
      const got = await claim(ctx, { queues: ['q2', 'q1'], limit: 2 });
      expect(got.map((j) => j.id)).toEqual(['two-a', 'two-b']);
      expect((await claim(ctx, { queues: ['q2', 'q1'] })).map((j) => j.id)).toEqual(['one']);
    });

    it('claims only from the named queues and types', async () => {
      await enqueueMany(ctx, [
        { queue: 'other', id: 'o' },
        { type: 'img.resize', id: 'img' },
        { type: 'pdf.render', id: 'pdf' },
      ]);
      expect((await claim(ctx, { types: ['pdf.render'] })).map((j) => j.id)).toEqual(['pdf']);
      expect((await claim(ctx)).map((j) => j.id)).toEqual(['img']);
    });

    it('skips a paused queue until it is resumed', async () => {
      const job = await enqueue(ctx, { queue: 'p' });
      const info = await ctx.backend.queueUpdate({ queue: 'p', settings: { paused: true } });
      expect(info.paused).toBe(true);
      expect(await claim(ctx, { queues: ['p'] })).toEqual([]);
      await ctx.backend.queueUpdate({ queue: 'p', settings: { paused: false } });
      expect((await claim(ctx, { queues: ['p'] })).map((j) => j.id)).toEqual([job.id]);
    });

    it('never exceeds a queue concurrency cap, across workers', async () => {
      await ctx.backend.queueUpdate({ queue: 'capped', settings: { concurrency: 3 } });
      await enqueueMany(
        ctx,
        Array.from({ length: 6 }, () => ({ queue: 'capped' })),
      );
      const a = await claim(ctx, { workerId: 'w-a', queues: ['capped'], limit: 2 });
      const b = await claim(ctx, { workerId: 'w-b', queues: ['capped'], limit: 5 });
      expect(a.length + b.length).toBe(3);
      expect(b).toHaveLength(1);
      expect(await claim(ctx, { workerId: 'w-c', queues: ['capped'] })).toEqual([]);
      // Finishing one frees one slot.
      const done = a[0]!;
      const res = await ctx.backend.jobsComplete({
        items: [{ id: done.id, workerId: 'w-a', attempt: done.attempts, result: null }],
      });
      expect(res.lost).toEqual([]);
      expect(await claim(ctx, { workerId: 'w-c', queues: ['capped'] })).toHaveLength(1);
    });

    it('does not start a job whose deadline has passed', async () => {
      await enqueue(ctx, { deadline: new Date(ctx.clock.now() + 1_000) });
      await ctx.clock.advance(1_001);
      expect(await claim(ctx)).toEqual([]);
    });

    it('gives the lease from the claim time', async () => {
      await enqueue(ctx);
      await ctx.clock.advance(500);
      const [job] = await claim(ctx);
      expect(job!.leaseUntil!.getTime()).toBe(ctx.clock.now() + LEASE_MS);
    });
  });
}
