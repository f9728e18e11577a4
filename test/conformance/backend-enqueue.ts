/** Conformance: enqueue (docs/architecture.md, "The job"): stored fields, idempotent ids, all or none, unique keys, size caps. */
import { describe, expect, it } from 'vitest';
import { QueueFullError, UniqueConflictError } from '../../src/core/errors.js';
import type { ConformanceFactory } from './index.js';
import { enqueue, enqueueMany, mustGet, newJob, useBackend } from './fixtures.js';

/** Enqueue semantics, directly against the Backend. */
export function backendEnqueueGroup(factory: ConformanceFactory): void {
  describe('backend: enqueue', () => {
    const ctx = useBackend(factory);

    it('stores a due job as queued with every field', async () => {
      const job = await enqueue(ctx, {
        type: 'email.send',
        payload: { to: 'a@b.c', n: [1, 2] },
        queue: 'mail',
        priority: 'high',
        maxAttempts: 3,
        timeout: '5s',
        tags: ['x', 'y'],
        metadata: { m: 1 },
      });
      expect(job).toMatchObject({
        type: 'email.send',
        queue: 'mail',
        payload: { to: 'a@b.c', n: [1, 2] },
        priority: 10,
        state: 'queued',
        attempts: 0,
        maxAttempts: 3,
        timeoutMs: 5000,
        tags: ['x', 'y'],
        metadata: { m: 1 },
        errors: [],
        progress: null,
        result: null,
        workerId: null,
        leaseUntil: null,
        startedAt: null,
        finishedAt: null,
      });
      expect(job.createdAt.getTime()).toBe(ctx.clock.now());
      expect(job.runAt.getTime()).toBe(ctx.clock.now());
      expect(await mustGet(ctx, job.id)).toEqual(job);
    });

    it('stores each job of a batch with its own fields, whether the batch shares them or not', async () => {
      const shared = { type: 'batch.job', queue: 'mix', priority: 'low' as const, tags: ['t'], metadata: { k: 1 } };
      const jobs = await enqueueMany(ctx, [
        { ...shared, payload: { i: 1 } },
        { ...shared, payload: { i: 2 }, maxAttempts: 2, delay: 5_000, uniqueKey: 'mix-1' },
        { type: 'other.job', queue: 'mix2', payload: null, timeout: '1s', deadline: ctx.clock.now() + 9_000 },
        { ...shared, payload: { i: 1 }, uniqueWindow: '1m', backoff: { type: 'fixed', delayMs: 100 } },
      ]);
      expect(jobs.map((j) => [j.type, j.queue, j.state, j.maxAttempts, j.tags])).toEqual([
        ['batch.job', 'mix', 'queued', 25, ['t']],
        ['batch.job', 'mix', 'scheduled', 2, ['t']],
        ['other.job', 'mix2', 'queued', 25, []],
        ['batch.job', 'mix', 'queued', 25, ['t']],
      ]);
      for (const job of jobs) expect(await mustGet(ctx, job.id)).toEqual(job);
      const [only] = await enqueueMany(ctx, [{ type: 'single.job', tags: ['solo'], metadata: { one: true } }]);
      expect(await mustGet(ctx, only!.id)).toEqual(only);
    });

    it('stores a delayed job as scheduled', async () => {
      const job = await enqueue(ctx, { delay: 60_000 });
      expect(job.state).toBe('scheduled');
      expect(job.runAt.getTime()).toBe(ctx.clock.now() + 60_000);
    });

    it('returns null for an unknown id', async () => {
      expect(await ctx.backend.jobGet({ id: 'nope' })).toBeNull();
    });

    it('is idempotent on the id: the existing job comes back with created false', async () => {
      const first = newJob(ctx.clock, { id: 'order-1', payload: 1 });
      const [a] = await ctx.backend.jobsEnqueue({ jobs: [first] });
      expect(a!.created).toBe(true);
      const again = newJob(ctx.clock, { id: 'order-1', payload: 2 });
      const [b] = await ctx.backend.jobsEnqueue({ jobs: [again] });
      expect(b!.created).toBe(false);
      expect(b!.job.payload).toBe(1);
      expect((await ctx.backend.jobsList({ limit: 10 })).jobs).toHaveLength(1);
    });

    it('returns the existing job for a known id even when it holds a unique key', async () => {
      const a = await enqueue(ctx, { id: 'keyed', uniqueKey: 'k1' });
      const [again] = await ctx.backend.jobsEnqueue({ jobs: [newJob(ctx.clock, { id: 'keyed', uniqueKey: 'k1' })] });
      expect(again).toMatchObject({ created: false, job: { id: a.id, uniqueKey: 'k1' } });
    });

    it('creates the generated ids of a batch and finds its known one', async () => {
      await enqueue(ctx, { id: 'known-2', payload: 'old' });
      const outcomes = await ctx.backend.jobsEnqueue({
        jobs: [newJob(ctx.clock), newJob(ctx.clock, { id: 'known-2', payload: 'new' }), newJob(ctx.clock)],
      });
      expect(outcomes.map((o) => [o.created, o.job.payload])).toEqual([
        [true, null],
        [false, 'old'],
        [true, null],
      ]);
      expect((await ctx.backend.jobsList({ limit: 10 })).jobs).toHaveLength(3);
    });

    it('stores a batch in order and reports each outcome', async () => {
      await enqueue(ctx, { id: 'known' });
      const outcomes = await ctx.backend.jobsEnqueue({
        jobs: [newJob(ctx.clock, { id: 'n1' }), newJob(ctx.clock, { id: 'known' }), newJob(ctx.clock, { id: 'n2' })],
      });
      expect(outcomes.map((o) => [o.job.id, o.created])).toEqual([
        ['n1', true],
        ['known', false],
        ['n2', true],
      ]);
    });

    it('stores all of a batch or none of it', async () => {
      await enqueue(ctx, { id: 'holder', uniqueKey: 'k' });
      const jobs = [newJob(ctx.clock, { id: 'b1' }), newJob(ctx.clock, { id: 'b2', uniqueKey: 'k' })];
      await expect(ctx.backend.jobsEnqueue({ jobs })).rejects.toBeInstanceOf(UniqueConflictError);
      expect(await ctx.backend.jobGet({ id: 'b1' })).toBeNull();
      expect(await ctx.backend.jobGet({ id: 'b2' })).toBeNull();
    });

    it('holds a unique key while a job with it is live', async () => {
      const a = await enqueue(ctx, { uniqueKey: 'report:42' });
      const err = await enqueue(ctx, { uniqueKey: 'report:42' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UniqueConflictError);
      expect((err as UniqueConflictError).existingId).toBe(a.id);
      // Two jobs of one batch with the same key conflict with each other.
      await expect(enqueueMany(ctx, [{ uniqueKey: 'u2' }, { uniqueKey: 'u2' }])).rejects.toBeInstanceOf(
        UniqueConflictError,
      );
    });

    it('frees a unique key when the job ends, unless a window keeps it', async () => {
      const a = await enqueue(ctx, { uniqueKey: 'free' });
      await ctx.backend.jobCancel({ id: a.id });
      expect((await enqueue(ctx, { uniqueKey: 'free' })).state).toBe('queued');

      const b = await enqueue(ctx, { uniqueKey: 'win', uniqueWindow: 60_000 });
      await ctx.backend.jobCancel({ id: b.id });
      await ctx.clock.advance(59_000);
      await expect(enqueue(ctx, { uniqueKey: 'win' })).rejects.toBeInstanceOf(UniqueConflictError);
      await ctx.clock.advance(2_000);
      expect((await enqueue(ctx, { uniqueKey: 'win' })).state).toBe('queued');
    });

    it('rejects enqueue at a queue size cap with reject policy, all or none', async () => {
      await ctx.backend.queueUpdate({ queue: 'small', settings: { sizeCap: 2, sizePolicy: 'reject' } });
      await enqueueMany(ctx, [{ queue: 'small' }, { queue: 'small' }]);
      await expect(enqueue(ctx, { queue: 'small', id: 'third' })).rejects.toBeInstanceOf(QueueFullError);
      expect(await ctx.backend.jobGet({ id: 'third' })).toBeNull();
      // A running job does not count: claim one and there is room again.
      await ctx.backend.jobsClaim({ workerId: 'w', queues: ['small'], limit: 1, leaseMs: 1000 });
      expect((await enqueue(ctx, { queue: 'small' })).state).toBe('queued');
      const counts = (await ctx.backend.jobsCount({ queues: ['small'] }))['small']!;
      expect(counts.queued + counts.running).toBe(3);
    });

    it('cancels the oldest waiting jobs at a size cap with drop-oldest policy', async () => {
      await ctx.backend.queueUpdate({ queue: 'ring', settings: { sizeCap: 2, sizePolicy: 'drop-oldest' } });
      const [a, b] = await enqueueMany(ctx, [{ queue: 'ring' }, { queue: 'ring' }]);
      await ctx.clock.advance(10);
      const c = await enqueue(ctx, { queue: 'ring' });
      expect(c.state).toBe('queued');
      expect((await mustGet(ctx, a!.id)).state).toBe('cancelled');
      expect((await mustGet(ctx, b!.id)).state).toBe('queued');
      const counts = (await ctx.backend.jobsCount({ queues: ['ring'] }))['ring']!;
      expect(counts).toMatchObject({ queued: 2, cancelled: 1 });
    });

    it('never holds more than the cap with drop-oldest, even for a batch larger than the cap', async () => {
      await ctx.backend.queueUpdate({ queue: 'ring', settings: { sizeCap: 2, sizePolicy: 'drop-oldest' } });
      const old = await enqueue(ctx, { queue: 'ring', id: 'a-old' });
      await ctx.clock.advance(10);
      const outcomes = await ctx.backend.jobsEnqueue({
        jobs: ['b-1', 'c-2', 'd-3'].map((id) => newJob(ctx.clock, { queue: 'ring', id })),
      });
      // Oldest first (creation time, then id): the old job, then the batch's first job go.
      expect(outcomes.map((o) => [o.job.id, o.job.state, o.created])).toEqual([
        ['b-1', 'cancelled', true],
        ['c-2', 'queued', true],
        ['d-3', 'queued', true],
      ]);
      expect((await mustGet(ctx, old.id)).state).toBe('cancelled');
      const counts = (await ctx.backend.jobsCount({ queues: ['ring'] }))['ring']!;
      expect(counts).toMatchObject({ queued: 2, cancelled: 2 });
    });
  });
}
