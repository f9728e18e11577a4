/** Conformance: events and wake-ups (docs/architecture.md, "Events") through the Backend. */
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_RESULT_BYTES } from '../../src/core/constants.js';
import type { GantryEvent } from '../../src/core/events.js';
import type { ConformanceFactory } from './index.js';
import { claim, claimOne, enqueue, jobError, mustGet, recordEvents, useBackend, waitUntil } from './fixtures.js';

const types = (events: GantryEvent[], jobId: string): string[] =>
  events.filter((e) => e.jobId === jobId).map((e) => e.type);

/** Event and wake-up semantics, directly against the Backend. */
export function backendEventsGroup(factory: ConformanceFactory): void {
  describe('backend: events', () => {
    const ctx = useBackend(factory);

    it('delivers each lifecycle change with the job fields', async () => {
      const rec = await recordEvents(ctx);
      const { id } = await enqueue(ctx, { type: 'ev.test', queue: 'evq', maxAttempts: 2 });
      const job = await claimOne(ctx, { queues: ['evq'] });
      await ctx.backend.jobProgress({ id, workerId: 'w1', progress: { percent: 50 } });
      await ctx.backend.jobsFail({
        items: [
          { id, workerId: 'w1', attempt: 1, error: jobError(ctx, job, 'oops'), retryAt: new Date(ctx.clock.now()) },
        ],
      });
      const again = await claimOne(ctx, { queues: ['evq'] });
      await ctx.backend.jobsComplete({ items: [{ id, workerId: 'w1', attempt: again.attempts, result: 7 }] });
      await rec.waitFor((e) => e.type === 'job.completed' && e.jobId === id, 'job.completed');
      expect(types(rec.events, id)).toEqual([
        'job.enqueued',
        'job.started',
        'job.progress',
        'job.retrying',
        'job.started',
        'job.completed',
      ]);
      const started = rec.events.find((e) => e.type === 'job.started')!;
      expect(started).toMatchObject({
        jobId: id,
        jobType: 'ev.test',
        queue: 'evq',
        state: 'running',
        attempt: 1,
        workerId: 'w1',
      });
      expect(started.at).toBe(ctx.clock.now());
      expect(rec.events.find((e) => e.type === 'job.progress')!.progress).toEqual({ percent: 50 });
      expect(rec.events.find((e) => e.type === 'job.retrying')).toMatchObject({ state: 'retrying', error: 'oops' });
      expect(rec.events.find((e) => e.type === 'job.completed')).toMatchObject({ state: 'completed', attempt: 2 });
      await rec.stop();
    });

    it('job.completed carries the result up to MAX_EVENT_RESULT_BYTES, else says it was left out', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['job.completed'] } });
      const [small, big, none, exact] = await Promise.all([enqueue(ctx), enqueue(ctx), enqueue(ctx), enqueue(ctx)]);
      await claim(ctx, { limit: 4 });
      const bigResult = { text: 'é'.repeat(MAX_EVENT_RESULT_BYTES) };
      // A string whose JSON text (with its quotes) is exactly the bound fits.
      const exactResult = 'x'.repeat(MAX_EVENT_RESULT_BYTES - 2);
      const items = [
        { id: small.id, workerId: 'w1', attempt: 1, result: { ok: true, n: 3 } },
        { id: big.id, workerId: 'w1', attempt: 1, result: bigResult },
        { id: none.id, workerId: 'w1', attempt: 1, result: null },
        { id: exact.id, workerId: 'w1', attempt: 1, result: exactResult },
      ];
      expect((await ctx.backend.jobsComplete({ items })).lost).toEqual([]);
      const of = (id: string) => rec.waitFor((e) => e.jobId === id, `job.completed of ${id}`);
      const [s, b, n, x] = await Promise.all([of(small.id), of(big.id), of(none.id), of(exact.id)]);
      expect(s.result).toEqual({ ok: true, n: 3 });
      expect(s.resultTruncated).toBeUndefined();
      expect(b.result).toBeUndefined();
      expect(b.resultTruncated).toBe(true);
      expect(n.result).toBeUndefined();
      expect(n.resultTruncated).toBeUndefined();
      expect(x.result).toBe(exactResult);
      // The record keeps the whole result.
      expect((await mustGet(ctx, big.id)).result).toEqual(bigResult);
      // One completion alone (a batch of one) carries its result too.
      const one = await enqueue(ctx);
      await claimOne(ctx);
      await ctx.backend.jobsComplete({ items: [{ id: one.id, workerId: 'w1', attempt: 1, result: [1, 2] }] });
      expect((await of(one.id)).result).toEqual([1, 2]);
      await rec.stop();
    });

    it('emits failed, cancelled, expired, deleted and queue events', async () => {
      const rec = await recordEvents(ctx);
      const f = await enqueue(ctx, { maxAttempts: 1 });
      const fj = await claimOne(ctx);
      await ctx.backend.jobsFail({
        items: [{ id: f.id, workerId: 'w1', attempt: 1, error: jobError(ctx, fj), retryAt: null }],
      });
      const c = await enqueue(ctx);
      await ctx.backend.jobCancel({ id: c.id });
      await ctx.backend.jobDelete({ id: c.id });
      const x = await enqueue(ctx, { deadline: new Date(ctx.clock.now() + 10) });
      await ctx.clock.advance(11);
      await ctx.backend.jobsExpire({ limit: 10 });
      await ctx.backend.queueUpdate({ queue: 'default', settings: { paused: true } });
      await ctx.backend.queueUpdate({ queue: 'default', settings: { paused: false } });
      await rec.waitFor((e) => e.type === 'queue.resumed', 'queue.resumed');
      expect(types(rec.events, f.id)).toEqual(['job.enqueued', 'job.started', 'job.failed']);
      expect(types(rec.events, c.id)).toEqual(['job.enqueued', 'job.cancelled', 'job.deleted']);
      expect(types(rec.events, x.id)).toEqual(['job.enqueued', 'job.expired']);
      expect(rec.events.filter((e) => e.type.startsWith('queue.')).map((e) => [e.type, e.queue])).toEqual([
        ['queue.paused', 'default'],
        ['queue.resumed', 'default'],
      ]);
      await rec.stop();
    });

    it('filters by type, queue, job type and job id', async () => {
      const byType = await recordEvents(ctx, { filter: { types: ['job.cancelled'] } });
      const byQueue = await recordEvents(ctx, { filter: { queues: ['q2'] } });
      const byJobType = await recordEvents(ctx, { filter: { jobTypes: ['t.two'] } });
      const a = await enqueue(ctx, { queue: 'q1', type: 't.one' });
      const b = await enqueue(ctx, { queue: 'q2', type: 't.two' });
      const byId = await recordEvents(ctx, { filter: { jobId: a.id } });
      await ctx.backend.jobCancel({ id: b.id });
      await ctx.backend.jobCancel({ id: a.id });
      await byType.waitFor((e) => e.jobId === a.id, 'cancel of a');
      await byId.waitFor((e) => e.type === 'job.cancelled', 'cancel of a by id');
      expect(byType.events.map((e) => e.jobId)).toEqual([b.id, a.id]);
      expect(byQueue.events.map((e) => [e.type, e.jobId])).toEqual([
        ['job.enqueued', b.id],
        ['job.cancelled', b.id],
      ]);
      expect(byJobType.events.every((e) => e.jobType === 't.two')).toBe(true);
      expect(byJobType.events).toHaveLength(2);
      expect(byId.events.map((e) => e.type)).toEqual(['job.cancelled']);
      for (const r of [byType, byQueue, byJobType, byId]) await r.stop();
    });

    it('stops delivering after unsubscribe', async () => {
      const rec = await recordEvents(ctx);
      const a = await enqueue(ctx);
      await rec.waitFor((e) => e.jobId === a.id);
      await rec.stop();
      const after = await recordEvents(ctx);
      const b = await enqueue(ctx);
      await after.waitFor((e) => e.jobId === b.id);
      expect(rec.events.some((e) => e.jobId === b.id)).toBe(false);
      await after.stop();
    });

    it('delivers published events', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['schedule.fired'] } });
      await ctx.backend.eventsPublish({
        events: [{ type: 'schedule.fired', at: ctx.clock.now(), schedule: 'nightly' }],
      });
      const e = await rec.waitFor(() => true, 'schedule.fired');
      expect(e).toMatchObject({ type: 'schedule.fired', schedule: 'nightly' });
      await rec.stop();
    });

    it('replays events after a seq when the engine supports replay', async () => {
      if (!ctx.backend.capabilities.eventReplay) return;
      const live = await recordEvents(ctx);
      const a = await enqueue(ctx);
      const b = await enqueue(ctx);
      const c = await enqueue(ctx);
      await live.waitFor((e) => e.jobId === c.id);
      const seqOfA = live.events.find((e) => e.jobId === a.id)!.seq;
      expect(seqOfA).toBeTypeOf('string');
      const replay = await recordEvents(ctx, { afterSeq: seqOfA! });
      await replay.waitFor((e) => e.jobId === c.id, 'replayed c');
      expect(replay.events.map((e) => e.jobId)).toEqual([b.id, c.id]);
      // And it continues live, without duplicates.
      const d = await enqueue(ctx);
      await replay.waitFor((e) => e.jobId === d.id, 'live d after replay');
      expect(replay.events.map((e) => e.jobId)).toEqual([b.id, c.id, d.id]);
      await live.stop();
      await replay.stop();
    });

    it('emits worker joined and left', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['worker.joined', 'worker.left'] } });
      const worker = {
        id: 'host:1:abc',
        host: 'host',
        pid: 1,
        queues: [{ name: 'default', weight: 1 }],
        concurrency: 4,
        running: [],
        startedAt: new Date(ctx.clock.now()),
        lastSeenAt: new Date(ctx.clock.now()),
      };
      await ctx.backend.workerHeartbeat({ worker });
      await ctx.backend.workerHeartbeat({ worker });
      await ctx.backend.workerRemove({ id: worker.id });
      await rec.waitFor((e) => e.type === 'worker.left');
      expect(rec.events.map((e) => [e.type, e.workerId])).toEqual([
        ['worker.joined', worker.id],
        ['worker.left', worker.id],
      ]);
      await rec.stop();
    });
  });

  describe('backend: wake-ups', () => {
    const ctx = useBackend(factory);

    it('wakes a waiting worker when a job is enqueued in its queue', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      let woke = false;
      const waiting = ctx.backend.workAwait({ queues: ['wq'], timeoutMs: 60_000 }).then(() => (woke = true));
      await enqueue(ctx, { queue: 'wq' });
      await waitUntil(() => woke, 5_000, 'wake-up after enqueue');
      await waiting;
    });

    it('wakes a waiting worker on a manual retry and on a resume', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      const job = await enqueue(ctx, { queue: 'rq' });
      await ctx.backend.jobCancel({ id: job.id });
      let woke = 0;
      const first = ctx.backend.workAwait({ queues: ['rq'], timeoutMs: 60_000 }).then(() => woke++);
      await ctx.backend.jobRetry({ id: job.id });
      await waitUntil(() => woke === 1, 5_000, 'wake-up after retry');
      await first;
      await ctx.backend.queueUpdate({ queue: 'rq', settings: { paused: true } });
      const second = ctx.backend.workAwait({ queues: ['rq'], timeoutMs: 60_000 }).then(() => woke++);
      await ctx.backend.queueUpdate({ queue: 'rq', settings: { paused: false } });
      await waitUntil(() => woke === 2, 5_000, 'wake-up after resume');
      await second;
    });

    it('wakes a waiting worker when due jobs are promoted, emitting job.enqueued for each', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['job.enqueued'] } });
      const due = await enqueue(ctx, { queue: 'pq', delay: 1_000 });
      const later = await enqueue(ctx, { queue: 'pq', delay: 5_000 });
      await rec.waitFor((e) => e.jobId === later.id, 'job.enqueued of the later job');
      await ctx.clock.advance(1_000);
      let woke = false;
      const waiting = ctx.backend.workAwait({ queues: ['pq'], timeoutMs: 60_000 }).then(() => (woke = true));
      expect(await ctx.backend.jobsPromote({ limit: 10 })).toBe(1);
      const promoted = await rec.waitFor((e) => e.jobId === due.id && e.state === 'queued', 'promotion event');
      expect(promoted).toMatchObject({ type: 'job.enqueued', queue: 'pq', state: 'queued', attempt: 0 });
      expect(rec.events.filter((e) => e.jobId === later.id).map((e) => e.state)).toEqual(['scheduled']);
      if (ctx.backend.capabilities.pushWakeups) {
        await waitUntil(() => woke, 5_000, 'wake-up after promotion');
        await waiting;
      }
      await rec.stop();
    });

    it('wakes a waiting worker when a queue concurrency cap is raised or removed', async () => {
      if (!ctx.backend.capabilities.pushWakeups) return;
      await ctx.backend.queueUpdate({ queue: 'cq', settings: { concurrency: 1 } });
      let woke = 0;
      const first = ctx.backend.workAwait({ queues: ['cq'], timeoutMs: 60_000 }).then(() => woke++);
      await ctx.backend.queueUpdate({ queue: 'cq', settings: { concurrency: 3 } });
      await waitUntil(() => woke === 1, 5_000, 'wake-up after the cap was raised');
      await first;
      const second = ctx.backend.workAwait({ queues: ['cq'], timeoutMs: 60_000 }).then(() => woke++);
      await ctx.backend.queueUpdate({ queue: 'cq', settings: { concurrency: null } });
      await waitUntil(() => woke === 2, 5_000, 'wake-up after the cap was removed');
      await second;
    });

    it('resolves after timeoutMs on the clock', async () => {
      let woke = false;
      const waiting = ctx.backend.workAwait({ queues: ['idle'], timeoutMs: 1_000 }).then(() => (woke = true));
      await ctx.clock.advance(999);
      expect(woke).toBe(false);
      await ctx.clock.advance(1);
      await waitUntil(() => woke, 5_000, 'timeout on the clock');
      await waiting;
    });

    it('resolves at once when the signal aborts', async () => {
      const ac = new AbortController();
      let woke = false;
      const waiting = ctx.backend
        .workAwait({ queues: ['idle'], timeoutMs: 60_000, signal: ac.signal })
        .then(() => (woke = true));
      ac.abort();
      await waitUntil(() => woke, 5_000, 'abort');
      await waiting;
      const pre = new AbortController();
      pre.abort();
      await ctx.backend.workAwait({ queues: ['idle'], timeoutMs: 60_000, signal: pre.signal });
    });
  });
}
