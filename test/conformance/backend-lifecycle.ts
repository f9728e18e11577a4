/**
 * Conformance: a job's life after the claim (docs/architecture.md, "States" and "Delivery"): fenced completion, failure and
 * progress, leases, deadlines, promotion, cancel, retry, delete, invalid transitions.
 */
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, NotFoundError, UniqueConflictError } from '../../src/core/errors.js';
import type { ConformanceFactory } from './index.js';
import { claim, claimOne, enqueue, jobError, LEASE_MS, mustGet, recordEvents, useBackend } from './fixtures.js';

/** Lifecycle semantics, directly against the Backend. */
export function backendLifecycleGroup(factory: ConformanceFactory): void {
  describe('backend: lifecycle', () => {
    const ctx = useBackend(factory);

    it('completes a held job with its result; a wrong worker or attempt is lost', async () => {
      const { id } = await enqueue(ctx);
      const job = await claimOne(ctx, { workerId: 'w1' });
      const wrong = await ctx.backend.jobsComplete({
        items: [
          { id, workerId: 'w2', attempt: 1, result: 'x' },
          { id, workerId: 'w1', attempt: 2, result: 'x' },
          { id: 'missing', workerId: 'w1', attempt: 1, result: 'x' },
        ],
      });
      expect(wrong.lost.sort()).toEqual([id, id, 'missing'].sort());
      expect((await mustGet(ctx, id)).state).toBe('running');
      await ctx.clock.advance(250);
      const ok = await ctx.backend.jobsComplete({
        items: [{ id, workerId: 'w1', attempt: job.attempts, result: { sum: 3, list: ['a'] } }],
      });
      expect(ok.lost).toEqual([]);
      const done = await mustGet(ctx, id);
      expect(done).toMatchObject({
        state: 'completed',
        result: { sum: 3, list: ['a'] },
        attempts: 1,
        leaseUntil: null,
      });
      expect(done.finishedAt!.getTime()).toBe(ctx.clock.now());
      // Completing twice is lost too: the job no longer runs.
      const twice = await ctx.backend.jobsComplete({ items: [{ id, workerId: 'w1', attempt: 1, result: 1 }] });
      expect(twice.lost).toEqual([id]);
    });

    it('completes a batch in one call', async () => {
      for (let i = 0; i < 5; i++) await enqueue(ctx);
      const jobs = await claim(ctx, { limit: 5 });
      const res = await ctx.backend.jobsComplete({
        items: jobs.map((j, i) => ({ id: j.id, workerId: 'w1', attempt: 1, result: i })),
      });
      expect(res.lost).toEqual([]);
      for (const [i, j] of jobs.entries())
        expect(await mustGet(ctx, j.id)).toMatchObject({ state: 'completed', result: i });
    });

    it('completes a batch of one worker and attempt without results, with events, reporting the lost', async () => {
      for (let i = 0; i < 3; i++) await enqueue(ctx, { queue: 'plain', type: 'plain.job' });
      const jobs = await claim(ctx, { queues: ['plain'], limit: 3 });
      const rec = await recordEvents(ctx, { filter: { types: ['job.completed'] } });
      // A worker reports a handler that returned nothing as null; undefined means the same.
      const items = jobs.map((j, i) => ({ id: j.id, workerId: 'w1', attempt: 1, result: i === 0 ? undefined : null }));
      const res = await ctx.backend.jobsComplete({ items: [...items, { ...items[0]!, id: 'missing' }] });
      expect(res.lost).toEqual(['missing']);
      for (const j of jobs) {
        expect(await mustGet(ctx, j.id)).toMatchObject({ state: 'completed', result: null, attempts: 1 });
        const e = await rec.waitFor((x) => x.jobId === j.id, `job.completed of ${j.id}`);
        expect(e).toMatchObject({ jobType: 'plain.job', queue: 'plain', attempt: 1, workerId: 'w1' });
      }
      await rec.stop();
    });

    it('fails with retryAt into retrying, claimable again once due, keeping every error', async () => {
      const { id } = await enqueue(ctx, { maxAttempts: 3 });
      const first = await claimOne(ctx);
      const retryAt = new Date(ctx.clock.now() + 5_000);
      const wrong = await ctx.backend.jobsFail({
        items: [{ id, workerId: 'other', attempt: 1, error: jobError(ctx, first), retryAt }],
      });
      expect(wrong.lost).toEqual([id]);
      const res = await ctx.backend.jobsFail({
        items: [{ id, workerId: 'w1', attempt: 1, error: jobError(ctx, first, 'e1'), retryAt }],
      });
      expect(res.lost).toEqual([]);
      const retrying = await mustGet(ctx, id);
      expect(retrying).toMatchObject({ state: 'retrying', attempts: 1, leaseUntil: null, finishedAt: null });
      expect(retrying.runAt.getTime()).toBe(retryAt.getTime());
      expect(retrying.errors).toHaveLength(1);
      expect(retrying.errors[0]).toMatchObject({ message: 'e1', attempt: 1, workerId: 'w1' });
      expect(retrying.errors[0]!.at).toBeInstanceOf(Date);
      expect(await claim(ctx)).toEqual([]);
      await ctx.clock.advance(5_000);
      const second = await claimOne(ctx, { workerId: 'w2' });
      expect(second).toMatchObject({ id, attempts: 2, workerId: 'w2' });
      await ctx.backend.jobsFail({
        items: [{ id, workerId: 'w2', attempt: 2, error: jobError(ctx, second, 'e2'), retryAt: null }],
      });
      const failed = await mustGet(ctx, id);
      expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
      expect(failed.finishedAt!.getTime()).toBe(ctx.clock.now());
      expect(failed.errors.map((e) => [e.message, e.attempt, e.workerId])).toEqual([
        ['e1', 1, 'w1'],
        ['e2', 2, 'w2'],
      ]);
    });

    it('records progress only while the worker holds the job', async () => {
      const { id } = await enqueue(ctx);
      expect(await ctx.backend.jobProgress({ id, workerId: 'w1', progress: { percent: 5 } })).toBe(false);
      await claimOne(ctx);
      expect(await ctx.backend.jobProgress({ id, workerId: 'w2', progress: { percent: 10 } })).toBe(false);
      expect(await ctx.backend.jobProgress({ id, workerId: 'w1', progress: { percent: 40, message: 'step 2' } })).toBe(
        true,
      );
      expect((await mustGet(ctx, id)).progress).toEqual({ percent: 40, message: 'step 2' });
    });

    it('renews leases the worker holds and reports the others lost', async () => {
      const a = await enqueue(ctx);
      const b = await enqueue(ctx);
      await claim(ctx, { workerId: 'w1', limit: 1 });
      await claim(ctx, { workerId: 'w2', limit: 1 });
      await ctx.clock.advance(10_000);
      const res = await ctx.backend.jobsLeaseRenew({ workerId: 'w1', ids: [a.id, b.id, 'missing'], leaseMs: LEASE_MS });
      expect(res.lost.sort()).toEqual([b.id, 'missing'].sort());
      expect((await mustGet(ctx, a.id)).leaseUntil!.getTime()).toBe(ctx.clock.now() + LEASE_MS);
    });

    it('lists running jobs whose lease ended, and a renewed lease is not among them', async () => {
      const a = await enqueue(ctx);
      const b = await enqueue(ctx);
      await claim(ctx, { workerId: 'w1', limit: 2, leaseMs: 1_000 });
      expect(await ctx.backend.jobsLeaseExpiredList({ limit: 10 })).toEqual([]);
      await ctx.clock.advance(600);
      await ctx.backend.jobsLeaseRenew({ workerId: 'w1', ids: [b.id], leaseMs: 1_000 });
      await ctx.clock.advance(500);
      const expired = await ctx.backend.jobsLeaseExpiredList({ limit: 10 });
      expect(expired.map((j) => j.id)).toEqual([a.id]);
      expect(expired[0]).toMatchObject({ state: 'running', workerId: 'w1', attempts: 1 });
      // Maintenance fails it through jobsFail with the expired holder.
      const res = await ctx.backend.jobsFail({
        items: [
          {
            id: a.id,
            workerId: 'w1',
            attempt: 1,
            error: jobError(ctx, expired[0]!, 'lease expired'),
            retryAt: new Date(ctx.clock.now()),
          },
        ],
      });
      expect(res.lost).toEqual([]);
      expect((await claimOne(ctx, { workerId: 'w2' })).id).toBe(a.id);
    });

    it('expires waiting jobs past their deadline, and only those', async () => {
      const soon = await enqueue(ctx, { deadline: new Date(ctx.clock.now() + 1_000) });
      const later = await enqueue(ctx, { deadline: new Date(ctx.clock.now() + 60_000) });
      const delayed = await enqueue(ctx, { delay: 5_000, deadline: new Date(ctx.clock.now() + 2_000) });
      const running = await enqueue(ctx, {
        id: 'zz-running',
        priority: 'critical',
        deadline: new Date(ctx.clock.now() + 1_000),
      });
      expect((await claimOne(ctx)).id).toBe(running.id);
      expect(await ctx.backend.jobsExpire({ limit: 100 })).toBe(0);
      await ctx.clock.advance(2_001);
      expect(await ctx.backend.jobsExpire({ limit: 100 })).toBe(2);
      expect((await mustGet(ctx, soon.id)).state).toBe('expired');
      expect((await mustGet(ctx, delayed.id)).state).toBe('expired');
      expect((await mustGet(ctx, later.id)).state).toBe('queued');
      expect((await mustGet(ctx, running.id)).state).toBe('running');
      expect((await mustGet(ctx, soon.id)).finishedAt!.getTime()).toBe(ctx.clock.now());
    });

    it('promotes due scheduled and retrying jobs to queued', async () => {
      const a = await enqueue(ctx, { delay: 1_000 });
      const b = await enqueue(ctx, { delay: 5_000 });
      expect(await ctx.backend.jobsPromote({ limit: 100 })).toBe(0);
      await ctx.clock.advance(1_000);
      expect(await ctx.backend.jobsPromote({ limit: 100 })).toBe(1);
      expect((await mustGet(ctx, a.id)).state).toBe('queued');
      expect((await mustGet(ctx, b.id)).state).toBe('scheduled');
    });

    it('cancels a queued job, and a running one whose worker then loses it', async () => {
      // Enqueued in the order of their ids, so either claim order takes 'a-running' first.
      const r = await enqueue(ctx, { id: 'a-running' });
      const q = await enqueue(ctx, { id: 'b-queued' });
      expect((await claimOne(ctx)).id).toBe(r.id);
      const cq = await ctx.backend.jobCancel({ id: q.id });
      expect(cq.state).toBe('cancelled');
      expect(cq.finishedAt!.getTime()).toBe(ctx.clock.now());
      expect((await ctx.backend.jobCancel({ id: r.id })).state).toBe('cancelled');
      expect((await ctx.backend.jobsLeaseRenew({ workerId: 'w1', ids: [r.id], leaseMs: LEASE_MS })).lost).toEqual([
        r.id,
      ]);
      const late = await ctx.backend.jobsComplete({ items: [{ id: r.id, workerId: 'w1', attempt: 1, result: 1 }] });
      expect(late.lost).toEqual([r.id]);
      expect((await mustGet(ctx, r.id)).state).toBe('cancelled');
      expect(await claim(ctx)).toEqual([]);
    });

    it('retries a final job: queued, attempts reset, errors kept, the retry recorded', async () => {
      const { id } = await enqueue(ctx, { maxAttempts: 1 });
      expect((await mustGet(ctx, id)).retries).toEqual([]);
      const job = await claimOne(ctx);
      await ctx.backend.jobsFail({
        items: [{ id, workerId: 'w1', attempt: 1, error: jobError(ctx, job, 'bad'), retryAt: null }],
      });
      await ctx.clock.advance(1_000);
      const retried = await ctx.backend.jobRetry({ id });
      expect(retried).toMatchObject({
        state: 'queued',
        attempts: 0,
        startedAt: null,
        finishedAt: null,
        leaseUntil: null,
        workerId: null,
        result: null,
      });
      expect(retried.errors.map((e) => e.message)).toEqual(['bad']);
      expect(retried.runAt.getTime()).toBeLessThanOrEqual(ctx.clock.now());
      const first = { at: new Date(ctx.clock.now()), from: 'failed', attempts: 1 };
      expect(retried.retries).toEqual([first]);
      const again = await claimOne(ctx);
      expect(again).toMatchObject({ id, attempts: 1, retries: [first] });
      await ctx.backend.jobsComplete({ items: [{ id, workerId: 'w1', attempt: 1, result: 'ok' }] });
      await ctx.clock.advance(1_000);
      await ctx.backend.jobRetry({ id });
      expect((await mustGet(ctx, id)).retries).toEqual([
        first,
        { at: new Date(ctx.clock.now()), from: 'completed', attempts: 1 },
      ]);
    });

    it('refuses a retry while another live job holds the unique key', async () => {
      const a = await enqueue(ctx, { uniqueKey: 'only-one' });
      await ctx.backend.jobCancel({ id: a.id });
      const b = await enqueue(ctx, { uniqueKey: 'only-one' });
      await expect(ctx.backend.jobRetry({ id: a.id })).rejects.toBeInstanceOf(UniqueConflictError);
      expect((await mustGet(ctx, a.id)).state).toBe('cancelled');
      await ctx.backend.jobCancel({ id: b.id });
      expect((await ctx.backend.jobRetry({ id: a.id })).state).toBe('queued');
    });

    it("refuses a retry while another job's unique window holds the key", async () => {
      const a = await enqueue(ctx, { uniqueKey: 'windowed' });
      await ctx.backend.jobCancel({ id: a.id });
      const b = await enqueue(ctx, { uniqueKey: 'windowed', uniqueWindow: '1m' });
      await ctx.backend.jobCancel({ id: b.id });
      const refused = ctx.backend.jobRetry({ id: a.id });
      await expect(refused).rejects.toBeInstanceOf(UniqueConflictError);
      await expect(refused).rejects.toMatchObject({ existingId: b.id });
      await ctx.clock.advance(60_000);
      expect((await ctx.backend.jobRetry({ id: a.id })).state).toBe('queued');
    });

    it('refuses transitions the state machine does not allow', async () => {
      const { id } = await enqueue(ctx);
      await expect(ctx.backend.jobRetry({ id })).rejects.toBeInstanceOf(InvalidTransitionError);
      const job = await claimOne(ctx);
      await expect(ctx.backend.jobRetry({ id })).rejects.toBeInstanceOf(InvalidTransitionError);
      await ctx.backend.jobsComplete({ items: [{ id, workerId: 'w1', attempt: job.attempts, result: null }] });
      await expect(ctx.backend.jobCancel({ id })).rejects.toBeInstanceOf(InvalidTransitionError);
      expect((await mustGet(ctx, id)).state).toBe('completed');
      await expect(ctx.backend.jobCancel({ id: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(ctx.backend.jobRetry({ id: 'missing' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deletes final jobs only, unless forced', async () => {
      const live = await enqueue(ctx);
      const refused = ctx.backend.jobDelete({ id: live.id });
      await expect(refused).rejects.toBeInstanceOf(InvalidTransitionError);
      await expect(refused).rejects.toThrow(
        `job ${live.id} cannot go from queued to deleted: only finished jobs (completed, failed, cancelled, expired) can be deleted; cancel it first, or delete it with force`,
      );
      expect(await ctx.backend.jobGet({ id: live.id })).not.toBeNull();
      await ctx.backend.jobDelete({ id: live.id, force: true });
      expect(await ctx.backend.jobGet({ id: live.id })).toBeNull();
      const done = await enqueue(ctx);
      await ctx.backend.jobCancel({ id: done.id });
      await ctx.backend.jobDelete({ id: done.id });
      expect(await ctx.backend.jobGet({ id: done.id })).toBeNull();
      await expect(ctx.backend.jobDelete({ id: done.id })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('prunes finished jobs by age and by count, keeping live ones', async () => {
      const old = await enqueue(ctx);
      await ctx.backend.jobCancel({ id: old.id });
      await ctx.clock.advance(10_000);
      const recent = [await enqueue(ctx), await enqueue(ctx), await enqueue(ctx)];
      for (const j of recent) {
        await ctx.clock.advance(1);
        await ctx.backend.jobCancel({ id: j.id });
      }
      const live = await enqueue(ctx);
      const cutoff = new Date(ctx.clock.now() - 5_000);
      expect(await ctx.backend.jobsPrune({ finishedBefore: { cancelled: cutoff } })).toBe(1);
      expect(await ctx.backend.jobGet({ id: old.id })).toBeNull();
      expect(await ctx.backend.jobsPrune({ finishedBefore: {}, maxPerQueueState: 2 })).toBe(1);
      expect(await ctx.backend.jobGet({ id: recent[0]!.id })).toBeNull();
      expect(await ctx.backend.jobGet({ id: recent[2]!.id })).not.toBeNull();
      expect(await ctx.backend.jobGet({ id: live.id })).not.toBeNull();
    });
  });
}
