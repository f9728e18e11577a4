/**
 * Conformance: schedules fire on time, exactly one job per fire time whatever the number of
 * schedulers (docs/schedules.md), through the Backend's schedule storage and leader lease.
 */
import { describe, expect, it } from 'vitest';
import { scheduledJobId, scheduledJobKey } from '../../src/scheduler/template.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { ConformanceFactory } from './index.js';
import { recordEvents, useBackend, waitUntil } from './fixtures.js';
import { firedJobs, fireTimes, scheduler, schedules, splitBrain, utc } from './schedules-helpers.js';

const T0 = Date.UTC(2030, 0, 1);

/** Schedule storage, firing on time, and once per fire time across racing schedulers. */
export function schedulesFiringGroup(factory: ConformanceFactory): void {
  describe('schedules: storage and firing', () => {
    const ctx = useBackend(factory);

    it('stores a schedule with its next fire time and round-trips every field', async () => {
      const s = schedules(ctx);
      const rec = await s.set(
        'report',
        'every weekday at 18:00 in Europe/Paris',
        {
          type: 'report.build',
          queue: 'reports',
          payload: { fmt: 'pdf' },
          options: { priority: 'high', maxAttempts: 3 },
        },
        { misfire: 'all' },
      );
      expect(rec).toMatchObject({
        name: 'report',
        timezone: 'Europe/Paris',
        misfire: 'all',
        paused: false,
        lastFireAt: null,
      });
      expect(rec.nextFireAt?.toISOString()).toBe(utc('2030-01-01T17:00:00'));
      const got = await s.get('report', { next: 3 });
      expect(got?.template).toEqual({
        type: 'report.build',
        queue: 'reports',
        payload: { fmt: 'pdf' },
        options: { priority: 'high', maxAttempts: 3 },
      });
      expect(got?.nextFireTimes.map((d) => d.toISOString())).toEqual([
        utc('2030-01-01T17:00:00'),
        utc('2030-01-02T17:00:00'),
        utc('2030-01-03T17:00:00'),
      ]);
      await s.set('a-first', '*/5 * * * *', { type: 'x' });
      expect((await s.list()).map((r) => r.name)).toEqual(['a-first', 'report']);
      expect(await s.remove('report')).toBe(true);
      expect(await s.remove('report')).toBe(false);
      expect(await s.get('report')).toBeNull();
    });

    it('refuses a bad spec, template or name before storing anything', async () => {
      const s = schedules(ctx);
      await expect(s.set('x', 'every 7 minutes', { type: 'x' })).rejects.toMatchObject({ code: 'SCHEDULE_PARSE' });
      await expect(s.set('x', 'every minute', { type: 'bad type!' })).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(s.set('x', 'every minute', { type: 'x', queue: 'no spaces' })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      await expect(s.set('x', 'every minute', { type: 'x', options: { maxAttempts: 0 } })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      await expect(s.set('x', 'every minute', { type: 'x', options: { id: 'fixed' } })).rejects.toThrow(
        /cannot set id/,
      );
      await expect(s.set('x', 'every minute', { type: 'x', options: { deleteOnComplete: true } })).rejects.toThrow(
        /cannot set deleteOnComplete/,
      );
      await expect(s.set('bad name', 'every minute', { type: 'x' })).rejects.toMatchObject({ code: 'VALIDATION' });
      expect(await s.list()).toEqual([]);
    });

    it('fires on time: one job per fire time with a deterministic id, then moves to the next time', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['schedule.fired'] } });
      await schedules(ctx).set('tick', 'every 1 minutes', { type: 'tick.run', payload: { n: 1 } });
      const sch = scheduler(ctx, 'a');
      await ctx.clock.advance(30_000);
      expect((await sch.tick()).fired).toEqual([]);
      await ctx.clock.advance(30_000);
      const r = await sch.tick();
      expect(r.leader).toBe(true);
      expect(r.fired).toHaveLength(1);
      const jobs = await firedJobs(ctx, 'tick');
      expect(jobs).toHaveLength(1);
      const job = jobs[0]!;
      const fireMs = T0 + 60_000;
      expect(job).toMatchObject({
        id: scheduledJobId('tick', fireMs),
        type: 'tick.run',
        queue: 'default',
        state: 'queued',
      });
      expect(job.uniqueKey).toBe(scheduledJobKey('tick', fireMs));
      expect(job.payload).toEqual({ n: 1 });
      expect(job.metadata).toMatchObject({ schedule: 'tick', fireAt: utc('2030-01-01T00:01:00') });
      const stored = await ctx.backend.scheduleGet({ name: 'tick' });
      expect(stored?.lastFireAt?.getTime()).toBe(fireMs);
      expect(stored?.nextFireAt?.getTime()).toBe(fireMs + 60_000);
      expect(r.nextWakeAt).toBe(fireMs + 60_000);
      expect((await sch.tick()).fired).toEqual([]);
      const e = await rec.waitFor((ev) => ev.type === 'schedule.fired', 'schedule.fired');
      expect(e).toMatchObject({ schedule: 'tick', jobId: job.id, jobType: 'tick.run', queue: 'default' });
      await rec.stop();
      await sch.stop();
    });

    it('enqueues once per fire time with three schedulers racing, even all three leaders at once', async () => {
      await schedules(ctx).set('race', 'every 15 seconds', { type: 'race.run' });
      const normal = ['a', 'b', 'c'].map((h) => scheduler(ctx, h));
      const brains = ['x', 'y', 'z'].map(
        (h) => new Scheduler({ backend: splitBrain(ctx.backend), holder: h, clock: ctx.clock }),
      );
      let leaders = 0;
      for (let step = 0; step < 24; step++) {
        await ctx.clock.advance(5_000);
        const all = [...normal, ...brains];
        const results = await Promise.all(all.map((s) => s.tick()));
        leaders += results.slice(0, 3).filter((r) => r.leader).length;
      }
      expect(leaders).toBe(24); // one leader among the lease takers at each step
      const times = fireTimes(await firedJobs(ctx, 'race'));
      const expected = Array.from({ length: 8 }, (_, i) => new Date(T0 + (i + 1) * 15_000).toISOString());
      expect(times).toEqual(expected);
      await Promise.all([...normal, ...brains].map((s) => s.stop()));
    });

    it('hands leadership over when the leader stops renewing, without a duplicate', async () => {
      await schedules(ctx).set('handover', 'every 15 seconds', { type: 'h.run' });
      const a = scheduler(ctx, 'a', { leaderTtlMs: 20_000 });
      const b = scheduler(ctx, 'b', { leaderTtlMs: 20_000 });
      await ctx.clock.advance(15_000);
      expect((await a.tick()).leader).toBe(true);
      expect((await b.tick()).leader).toBe(false);
      await ctx.clock.advance(15_000); // a is gone: it never ticks again
      expect((await b.tick()).leader).toBe(false);
      await ctx.clock.advance(6_000);
      const r = await b.tick();
      expect(r.leader).toBe(true);
      expect(fireTimes(await firedJobs(ctx, 'handover'))).toEqual([
        utc('2030-01-01T00:00:15'),
        utc('2030-01-01T00:00:30'),
      ]);
      await b.stop();
      expect((await a.tick()).leader).toBe(true); // b resigned on stop
    });

    it('runs by itself after start(), waking at each fire time', async () => {
      await schedules(ctx).set('loop', 'every 15 seconds', { type: 'loop.run' });
      const sch = scheduler(ctx, 'loop', { intervalMs: 60_000, leaderTtlMs: 120_000 });
      sch.start();
      await ctx.clock.advance(0);
      await waitUntil(() => sch.isLeader && ctx.clock.pendingTimers === 1, 5_000, 'first tick');
      for (let i = 1; i <= 3; i++) {
        await ctx.clock.advance(15_000);
        await waitUntil(
          async () => (await firedJobs(ctx, 'loop')).length === i && ctx.clock.pendingTimers === 1,
          5_000,
          `fire ${i}`,
        );
      }
      expect(fireTimes(await firedJobs(ctx, 'loop'))).toEqual([
        utc('2030-01-01T00:00:15'),
        utc('2030-01-01T00:00:30'),
        utc('2030-01-01T00:00:45'),
      ]);
      await sch.stop();
      expect(ctx.clock.pendingTimers).toBe(0);
    });
  });
}
