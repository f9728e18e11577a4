/**
 * Conformance: what the operators see and the cluster coordinates on: listing and counting
 * jobs, queues, the worker registry, leader leases and stored schedules (docs/architecture.md, docs/schedules.md).
 */
import { describe, expect, it } from 'vitest';
import type { JobFilter, ScheduleRecord, WorkerInfo } from '../../src/backend/backend.js';
import type { ConformanceFactory } from './index.js';
import { claimOne, enqueueMany, listAll, useBackend, type BackendContext } from './fixtures.js';

function worker(ctx: BackendContext, id: string, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  const now = new Date(ctx.clock.now());
  return {
    id,
    host: 'h',
    pid: 42,
    queues: [{ name: 'default', weight: 3 }],
    concurrency: 5,
    running: [],
    startedAt: now,
    lastSeenAt: now,
    ...extra,
  };
}

function schedule(ctx: BackendContext, name: string, extra: Partial<ScheduleRecord> = {}): ScheduleRecord {
  const now = new Date(ctx.clock.now());
  return {
    name,
    spec: 'every 5 minutes',
    timezone: null,
    template: { type: 'report.build', queue: 'reports', payload: { k: 1 }, options: { priority: 'high' } },
    paused: false,
    misfire: 'once',
    lastFireAt: null,
    nextFireAt: new Date(ctx.clock.now() + 300_000),
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

/** Listing, counting, registry, leases and schedules, directly against the Backend. */
export function backendRegistryGroup(factory: ConformanceFactory): void {
  describe('backend: list and count', () => {
    const ctx = useBackend(factory);

    it('lists newest first with cursor pagination', async () => {
      const jobs = await enqueueMany(
        ctx,
        Array.from({ length: 7 }, () => ({})),
      );
      const ids = jobs
        .map((j) => j.id)
        .sort()
        .reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { jobs: { id: string }[]; nextCursor: string | null } = await ctx.backend.jobsList({
          limit: 3,
          cursor,
        });
        expect(page.jobs.length).toBeLessThanOrEqual(3);
        seen.push(...page.jobs.map((j) => j.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(ids);
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('filters by states, queues, types, tags, ids and text', async () => {
      const [a, b, c, d] = await enqueueMany(ctx, [
        { id: 'j-a', queue: 'q1', type: 'mail.send', tags: ['red', 'big'], payload: { to: 'Alice@example.com' } },
        { id: 'j-b', queue: 'q2', type: 'mail.send', tags: ['red'] },
        { id: 'j-c', queue: 'q1', type: 'img.resize', tags: ['big'] },
        { id: 'j-d', queue: 'q2', type: 'img.resize', delay: 1_000 },
      ]);
      await ctx.backend.jobCancel({ id: c!.id });
      const ids = async (filter: JobFilter): Promise<string[]> => (await listAll(ctx, filter)).map((j) => j.id).sort();
      expect(await ids({ states: ['queued'] })).toEqual([a!.id, b!.id]);
      expect(await ids({ states: ['scheduled', 'cancelled'] })).toEqual([c!.id, d!.id]);
      expect(await ids({ queues: ['q1'] })).toEqual([a!.id, c!.id]);
      expect(await ids({ types: ['img.resize'], queues: ['q2'] })).toEqual([d!.id]);
      expect(await ids({ tags: ['red'] })).toEqual([a!.id, b!.id]);
      expect(await ids({ tags: ['red', 'big'] })).toEqual([a!.id]);
      expect(await ids({ ids: [b!.id, d!.id, 'nope'] })).toEqual([b!.id, d!.id]);
      expect(await ids({ text: 'alice@EXAMPLE' })).toEqual([a!.id]);
      expect(await ids({ text: 'RESIZE' })).toEqual([c!.id, d!.id]);
      expect(await ids({ text: 'j-b' })).toEqual([b!.id]);
      expect((await listAll(ctx, { queues: ['q1'] }, 1)).map((j) => j.id)).toEqual([c!.id, a!.id]);
    });

    it('matches text case-insensitively in the id, the type, or one string, number or key of the payload', async () => {
      const [a, b, c] = await enqueueMany(ctx, [
        { id: 'txt-a', type: 'mail.send', payload: { to: 'Zoë@ÉCOLE.fr', n: 12345 } },
        { id: 'txt-b', type: 'test.job', payload: { note: 'plain', nested: { list: ['Straße', 7] } } },
        { id: 'txt-c', type: 'Report.Build', payload: { Kundennummer: 'x' } },
      ]);
      const ids = async (text: string): Promise<string[]> => (await listAll(ctx, { text }, 2)).map((j) => j.id).sort();
      // Unicode case folding, as String.prototype.toLowerCase.
      expect(await ids('école')).toEqual([a!.id]);
      expect(await ids('zoË@')).toEqual([a!.id]);
      expect(await ids('STRAßE')).toEqual([b!.id]);
      // Numbers as JSON writes them, object keys, nested values, the type and the id.
      expect(await ids('2345')).toEqual([a!.id]);
      expect(await ids('kundenNUMMER')).toEqual([c!.id]);
      expect(await ids('report.b')).toEqual([c!.id]);
      expect(await ids('TXT-')).toEqual([a!.id, b!.id, c!.id]);
      // JSON punctuation and spacing are not part of any value; a match never spans two values.
      expect(await ids('"to":')).toEqual([]);
      expect(await ids('"to": "')).toEqual([]);
      expect(await ids('txt-a mail')).toEqual([]);
      expect(await ids('plain straße')).toEqual([]);
      // Every other filter still applies.
      expect((await listAll(ctx, { text: 'txt', types: ['test.job'] })).map((j) => j.id)).toEqual([b!.id]);
    });

    it('counts by queue and state, and lists queues with settings and counts', async () => {
      await enqueueMany(ctx, [{ queue: 'a' }, { queue: 'a' }, { queue: 'b', delay: 1_000 }]);
      await claimOne(ctx, { queues: ['a'] });
      await ctx.backend.queueUpdate({
        queue: 'c',
        settings: { concurrency: 2, sizeCap: 10, sizePolicy: 'drop-oldest' },
      });
      const counts = await ctx.backend.jobsCount({});
      expect(counts['a']).toEqual({
        scheduled: 0,
        queued: 1,
        running: 1,
        retrying: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
        expired: 0,
      });
      expect(counts['b']!.scheduled).toBe(1);
      expect(Object.values(counts['c']!).every((n) => n === 0)).toBe(true);
      expect(Object.keys(await ctx.backend.jobsCount({ queues: ['b'] }))).toEqual(['b']);
      const queues = await ctx.backend.queuesList();
      expect(queues.map((q) => q.name).sort()).toEqual(['a', 'b', 'c']);
      expect(queues.find((q) => q.name === 'c')).toMatchObject({
        paused: false,
        concurrency: 2,
        sizeCap: 10,
        sizePolicy: 'drop-oldest',
      });
      expect(queues.find((q) => q.name === 'a')).toMatchObject({ paused: false, concurrency: null, sizeCap: null });
      expect(queues.find((q) => q.name === 'a')!.counts.running).toBe(1);
      // Without counts (what a worker reads for its weights): the same queues and settings.
      const bare = await ctx.backend.queuesList({ counts: false });
      const settingsOnly = (list: typeof queues): unknown[] => list.map(({ counts: _counts, ...q }) => q);
      expect(settingsOnly(bare)).toEqual(settingsOnly(queues));
      // Unset settings stay as they were; null clears a cap.
      const c = await ctx.backend.queueUpdate({ queue: 'c', settings: { paused: true, concurrency: null } });
      expect(c).toMatchObject({ paused: true, concurrency: null, sizeCap: 10, sizePolicy: 'drop-oldest' });
    });
  });

  describe('backend: workers and leases', () => {
    const ctx = useBackend(factory);

    it('registers, refreshes, lists, removes and prunes workers', async () => {
      await ctx.backend.workerHeartbeat({ worker: worker(ctx, 'h:1:a', { kind: 'http' }) });
      await ctx.backend.workerHeartbeat({ worker: worker(ctx, 'h:2:b') });
      await ctx.clock.advance(10_000);
      await ctx.backend.workerHeartbeat({
        worker: worker(ctx, 'h:1:a', { running: ['j1'], startedAt: new Date(ctx.clock.now() - 10_000), kind: 'http' }),
      });
      const list = await ctx.backend.workersList();
      expect(list.map((w) => w.id).sort()).toEqual(['h:1:a', 'h:2:b']);
      const a = list.find((w) => w.id === 'h:1:a')!;
      expect(a).toMatchObject({
        host: 'h',
        pid: 42,
        queues: [{ name: 'default', weight: 3 }],
        concurrency: 5,
        running: ['j1'],
        kind: 'http',
      });
      expect(a.lastSeenAt.getTime()).toBe(ctx.clock.now());
      expect(a.startedAt.getTime()).toBe(ctx.clock.now() - 10_000);
      const pruned = await ctx.backend.workersPrune({ before: new Date(ctx.clock.now() - 5_000) });
      expect(pruned).toEqual(['h:2:b']);
      expect((await ctx.backend.workersList()).map((w) => w.id)).toEqual(['h:1:a']);
      await ctx.backend.workerRemove({ id: 'h:1:a' });
      expect(await ctx.backend.workersList()).toEqual([]);
    });

    it('elects one leader; another takes over after the ttl or a resign', async () => {
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'A', ttlMs: 10_000 })).toBe(true);
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'B', ttlMs: 10_000 })).toBe(false);
      expect(await ctx.backend.leaderElect({ name: 'other', holder: 'B', ttlMs: 10_000 })).toBe(true);
      await ctx.clock.advance(6_000);
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'A', ttlMs: 10_000 })).toBe(true);
      await ctx.clock.advance(6_000);
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'B', ttlMs: 10_000 })).toBe(false);
      await ctx.clock.advance(4_001);
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'B', ttlMs: 10_000 })).toBe(true);
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'A', ttlMs: 10_000 })).toBe(false);
      await ctx.backend.leaderResign({ name: 'sched', holder: 'A' });
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'A', ttlMs: 10_000 })).toBe(false);
      await ctx.backend.leaderResign({ name: 'sched', holder: 'B' });
      expect(await ctx.backend.leaderElect({ name: 'sched', holder: 'A', ttlMs: 10_000 })).toBe(true);
    });
  });

  describe('backend: schedules', () => {
    const ctx = useBackend(factory);

    it('stores, replaces, lists and deletes schedules', async () => {
      const s = schedule(ctx, 'nightly', { timezone: 'Europe/Paris' });
      expect(await ctx.backend.scheduleUpsert({ schedule: s })).toEqual(s);
      expect(await ctx.backend.scheduleGet({ name: 'nightly' })).toEqual(s);
      await ctx.backend.scheduleUpsert({ schedule: schedule(ctx, 'a-first') });
      await ctx.clock.advance(1_000);
      const changed = { ...s, spec: '0 3 * * *', paused: true, updatedAt: new Date(ctx.clock.now()) };
      const stored = await ctx.backend.scheduleUpsert({ schedule: changed });
      expect(stored).toMatchObject({ spec: '0 3 * * *', paused: true, timezone: 'Europe/Paris' });
      expect(stored.createdAt.getTime()).toBe(s.createdAt.getTime());
      expect((await ctx.backend.schedulesList()).map((x) => x.name)).toEqual(['a-first', 'nightly']);
      expect(await ctx.backend.scheduleDelete({ name: 'nightly' })).toBe(true);
      expect(await ctx.backend.scheduleDelete({ name: 'nightly' })).toBe(false);
      expect(await ctx.backend.scheduleGet({ name: 'nightly' })).toBeNull();
    });

    it('marks a fire with compare-and-set on lastFireAt', async () => {
      await ctx.backend.scheduleUpsert({ schedule: schedule(ctx, 'cas') });
      const t1 = new Date(ctx.clock.now() + 300_000);
      const t2 = new Date(ctx.clock.now() + 600_000);
      const mark = (expected: Date | null, last: Date, next: Date): Promise<boolean> =>
        ctx.backend.scheduleFireClaim({
          name: 'cas',
          expectedLastFireAt: expected,
          lastFireAt: last,
          nextFireAt: next,
        });
      expect(await mark(null, t1, t2)).toBe(true);
      expect(await mark(null, t1, t2)).toBe(false);
      const got = await ctx.backend.scheduleGet({ name: 'cas' });
      expect(got!.lastFireAt!.getTime()).toBe(t1.getTime());
      expect(got!.nextFireAt!.getTime()).toBe(t2.getTime());
      expect(await mark(t1, t2, new Date(t2.getTime() + 300_000))).toBe(true);
      expect(await mark(t1, t2, t2)).toBe(false);
      expect(
        await ctx.backend.scheduleFireClaim({
          name: 'missing',
          expectedLastFireAt: null,
          lastFireAt: t1,
          nextFireAt: t2,
        }),
      ).toBe(false);
    });
  });
}
