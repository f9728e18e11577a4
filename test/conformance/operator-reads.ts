/**
 * Conformance: what the dashboard and the CLI ask of an engine beyond the job lifecycle:
 * running a delayed or retrying job now (`jobPromote`), finished jobs per minute
 * (`jobsCountFinished`), each queue's oldest due job (`jobsFindOldestDue`) and jobs by the
 * tail of their id (`JobFilter.idSuffix`, how short ids resolve).
 */
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { ConformanceFactory } from './index.js';
import {
  claimOne,
  enqueue,
  jobError,
  mustGet,
  recordEvents,
  useBackend,
  waitUntil,
  type BackendContext,
} from './fixtures.js';

const MINUTE = 60_000;
const minuteOf = (t: number): number => Math.floor(t / MINUTE) * MINUTE;

/** Claims the one job of `queue` and completes (or, with `fail`, fails for good) it now. */
async function finish(ctx: BackendContext, queue: string, fail = false): Promise<string> {
  await enqueue(ctx, { queue, maxAttempts: 1 });
  const job = await claimOne(ctx, { queues: [queue] });
  if (fail) {
    await ctx.backend.jobsFail({
      items: [{ id: job.id, workerId: 'w1', attempt: 1, error: jobError(ctx, job), retryAt: null }],
    });
  } else {
    await ctx.backend.jobsComplete({ items: [{ id: job.id, workerId: 'w1', attempt: 1, result: null }] });
  }
  return job.id;
}

function promoteCases(ctx: BackendContext): void {
  it('runs a delayed job now: queued with runAt = now, claimable at once, job.enqueued emitted', async () => {
    const job = await enqueue(ctx, { queue: 'later', delay: 3_600_000 });
    expect(job.state).toBe('scheduled');
    const rec = await recordEvents(ctx, { filter: { jobId: job.id } });
    await ctx.clock.advance(1_000);
    const promoted = await ctx.backend.jobPromote({ id: job.id });
    expect(promoted).toMatchObject({ id: job.id, state: 'queued', attempts: 0 });
    expect(promoted.runAt.getTime()).toBe(ctx.clock.now());
    expect((await mustGet(ctx, job.id)).state).toBe('queued');
    const e = await rec.waitFor((x) => x.type === 'job.enqueued', 'job.enqueued of the promoted job');
    expect(e).toMatchObject({ state: 'queued', queue: 'later' });
    await rec.stop();
    expect((await claimOne(ctx, { queues: ['later'] })).id).toBe(job.id);
  });

  it('runs a retrying job now, keeping its attempts and errors', async () => {
    await enqueue(ctx, { queue: 'r', maxAttempts: 3 });
    const job = await claimOne(ctx, { queues: ['r'] });
    const retryAt = new Date(ctx.clock.now() + 600_000);
    await ctx.backend.jobsFail({
      items: [{ id: job.id, workerId: 'w1', attempt: 1, error: jobError(ctx, job, 'first'), retryAt }],
    });
    expect((await mustGet(ctx, job.id)).state).toBe('retrying');
    const promoted = await ctx.backend.jobPromote({ id: job.id });
    expect(promoted).toMatchObject({ state: 'queued', attempts: 1 });
    expect(promoted.errors.map((x) => x.message)).toEqual(['first']);
    expect(promoted.runAt.getTime()).toBe(ctx.clock.now());
    const again = await claimOne(ctx, { queues: ['r'] });
    expect(again).toMatchObject({ id: job.id, attempts: 2 });
  });

  it('wakes a waiting worker of the queue', async () => {
    if (!ctx.backend.capabilities.pushWakeups) return;
    const job = await enqueue(ctx, { queue: 'pq', delay: 3_600_000 });
    let woke = false;
    const waiting = ctx.backend.workAwait({ queues: ['pq'], timeoutMs: 60_000 }).then(() => (woke = true));
    await ctx.backend.jobPromote({ id: job.id });
    await waitUntil(() => woke, 5_000, 'wake-up after promote');
    await waiting;
  });

  it('refuses jobs that are due, running or finished, and unknown ids', async () => {
    const queued = await enqueue(ctx, { queue: 'x' });
    await expect(ctx.backend.jobPromote({ id: queued.id })).rejects.toBeInstanceOf(InvalidTransitionError);
    const running = await claimOne(ctx, { queues: ['x'] });
    await expect(ctx.backend.jobPromote({ id: running.id })).rejects.toBeInstanceOf(InvalidTransitionError);
    await ctx.backend.jobsComplete({ items: [{ id: running.id, workerId: 'w1', attempt: 1, result: 1 }] });
    await expect(ctx.backend.jobPromote({ id: running.id })).rejects.toBeInstanceOf(InvalidTransitionError);
    const later = await enqueue(ctx, { queue: 'x', delay: 60_000 });
    await ctx.backend.jobCancel({ id: later.id });
    await expect(ctx.backend.jobPromote({ id: later.id })).rejects.toBeInstanceOf(InvalidTransitionError);
    expect((await mustGet(ctx, later.id)).state).toBe('cancelled');
    await expect(ctx.backend.jobPromote({ id: 'no-such-job' })).rejects.toBeInstanceOf(NotFoundError);
  });
}

function countFinishedCases(ctx: BackendContext): void {
  it('counts completed and failed jobs per queue and minute since a time', async () => {
    const t0 = ctx.clock.now();
    await finish(ctx, 'old');
    await ctx.clock.advance(5 * MINUTE);
    const since = ctx.clock.now();
    const m1 = minuteOf(ctx.clock.now());
    await finish(ctx, 'a');
    await finish(ctx, 'a');
    await finish(ctx, 'a', true);
    await finish(ctx, 'b');
    await ctx.clock.advance(2 * MINUTE);
    const m2 = minuteOf(ctx.clock.now());
    await finish(ctx, 'a');
    // Neither a retrying attempt, nor a cancelled job, nor a queue not asked for, counts.
    await enqueue(ctx, { queue: 'a', maxAttempts: 3 });
    const flaky = await claimOne(ctx, { queues: ['a'] });
    await ctx.backend.jobsFail({
      items: [
        {
          id: flaky.id,
          workerId: 'w1',
          attempt: 1,
          error: jobError(ctx, flaky),
          retryAt: new Date(ctx.clock.now() + 60 * MINUTE),
        },
      ],
    });
    const waiting = await enqueue(ctx, { queue: 'a' });
    await ctx.backend.jobCancel({ id: waiting.id });
    await finish(ctx, 'c');

    const rows = await ctx.backend.jobsCountFinished({ queues: ['a', 'b', 'old', 'none'], since: new Date(since) });
    const sorted = [...rows].sort((x, y) => x.queue.localeCompare(y.queue) || x.minute.getTime() - y.minute.getTime());
    expect(sorted.map((r) => ({ ...r, minute: r.minute.getTime() }))).toEqual([
      { queue: 'a', minute: m1, completed: 2, failed: 1 },
      { queue: 'a', minute: m2, completed: 1, failed: 0 },
      { queue: 'b', minute: m1, completed: 1, failed: 0 },
    ]);
    const all = await ctx.backend.jobsCountFinished({ queues: ['old'], since: new Date(t0) });
    expect(all.map((r) => r.completed)).toEqual([1]);
    expect(await ctx.backend.jobsCountFinished({ queues: [], since: new Date(t0) })).toEqual([]);
  });

  it('does not count a job deleted on completion (its row is gone)', async () => {
    const since = new Date(ctx.clock.now());
    await enqueue(ctx, { queue: 'd', deleteOnComplete: true });
    const job = await claimOne(ctx, { queues: ['d'] });
    await ctx.backend.jobsComplete({ items: [{ id: job.id, workerId: 'w1', attempt: 1, result: 1, delete: true }] });
    expect(await ctx.backend.jobsCountFinished({ queues: ['d'], since })).toEqual([]);
  });
}

function oldestDueCases(ctx: BackendContext): void {
  it("finds each queue's oldest due job across priorities, delayed ones once due", async () => {
    expect(await ctx.backend.jobsFindOldestDue({ queues: ['q', 'empty'] })).toEqual({ q: null, empty: null });
    const first = ctx.clock.now();
    await enqueue(ctx, { queue: 'q', priority: 'low' });
    await ctx.clock.advance(1_000);
    await enqueue(ctx, { queue: 'q', priority: 'critical' });
    await enqueue(ctx, { queue: 'q', priority: 5 });
    await enqueue(ctx, { queue: 'q', delay: 10_000 });
    await enqueue(ctx, { queue: 'other', delay: 5_000 });
    let found = await ctx.backend.jobsFindOldestDue({ queues: ['q', 'other'] });
    expect(found.q?.getTime()).toBe(first);
    expect(found.other).toBeNull();

    // Once the low-priority job runs, the oldest due one is a second younger.
    const taken = await ctx.backend.jobsClaim({ workerId: 'w1', queues: ['q'], limit: 3, leaseMs: 30_000 });
    expect(taken).toHaveLength(3);
    expect((await ctx.backend.jobsFindOldestDue({ queues: ['q'] })).q).toBeNull();
    // A delayed job past its time counts from its runAt, promoted by maintenance or not.
    await ctx.clock.advance(20_000);
    found = await ctx.backend.jobsFindOldestDue({ queues: ['q', 'other'] });
    expect(found.q?.getTime()).toBe(first + 1_000 + 10_000);
    expect(found.other?.getTime()).toBe(first + 1_000 + 5_000);
    await ctx.backend.jobsPromote({ limit: 100 });
    found = await ctx.backend.jobsFindOldestDue({ queues: ['q', 'other'] });
    expect(found.q?.getTime()).toBe(first + 1_000 + 10_000);
    expect(found.other?.getTime()).toBe(first + 1_000 + 5_000);
  });
}

function idSuffixCases(ctx: BackendContext): void {
  it('lists jobs by the tail of their id, with the other filters, and refuses a tail too short', async () => {
    const a = await enqueue(ctx, { id: 'order-0001-deadbeef12', queue: 'm' });
    const b = await enqueue(ctx, { id: 'order-0002-deadbeef12', queue: 'n' });
    const c = await enqueue(ctx, { id: 'order-0003-cafef00d12' });
    const d = await enqueue(ctx);
    const ids = async (filter: Parameters<typeof ctx.backend.jobsList>[0]['filter']): Promise<string[]> =>
      (await ctx.backend.jobsList({ filter, limit: 10 })).jobs.map((j) => j.id);
    expect(await ids({ idSuffix: 'deadbeef12' })).toEqual([b.id, a.id]);
    expect(await ids({ idSuffix: '2-deadbeef12' })).toEqual([b.id]);
    expect(await ids({ idSuffix: 'cafef00d12' })).toEqual([c.id]);
    expect(await ids({ idSuffix: d.id.slice(-8) })).toEqual([d.id]);
    expect(await ids({ idSuffix: d.id.slice(-12) })).toEqual([d.id]);
    expect(await ids({ idSuffix: 'deadbeef12', queues: ['m'] })).toEqual([a.id]);
    expect(await ids({ idSuffix: 'deadbeef12', states: ['running'] })).toEqual([]);
    expect(await ids({ idSuffix: '0000000000' })).toEqual([]);
    // A job deleted on completion is found while it lives.
    const fleeting = await enqueue(ctx, { id: 'temp-7-0ddba11c', deleteOnComplete: true });
    expect(await ids({ idSuffix: '0ddba11c' })).toEqual([fleeting.id]);
    // Pages by cursor like any list.
    const first = await ctx.backend.jobsList({ filter: { idSuffix: 'deadbeef12' }, limit: 1 });
    expect(first.jobs.map((j) => j.id)).toEqual([b.id]);
    const second = await ctx.backend.jobsList({
      filter: { idSuffix: 'deadbeef12' },
      limit: 1,
      cursor: first.nextCursor,
    });
    expect(second.jobs.map((j) => j.id)).toEqual([a.id]);
    expect(second.nextCursor).toBeNull();
    await expect(ctx.backend.jobsList({ filter: { idSuffix: 'beef12' }, limit: 10 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
}

/** Operator actions and reads, directly against the Backend. */
export function operatorReadsGroup(factory: ConformanceFactory): void {
  describe('backend: operator reads and run-now', () => {
    const ctx = useBackend(factory);
    promoteCases(ctx);
    countFinishedCases(ctx);
    oldestDueCases(ctx);
    idSuffixCases(ctx);
  });
}
