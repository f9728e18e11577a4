/**
 * Conformance: misfire policies after downtime, pause/resume/trigger, changes at run time and
 * a DST change in a time zone (docs/schedules.md).
 */
import { describe, expect, it } from 'vitest';
import type { MisfirePolicy } from '../../src/scheduler/plan.js';
import type { ConformanceFactory } from './index.js';
import { useBackend } from './fixtures.js';
import { firedJobs, fireTimes, scheduler, schedules, utc } from './schedules-helpers.js';

const HOUR = 3600_000;

/** Misfires, pause/resume, run-time changes and DST. */
export function schedulesPoliciesGroup(factory: ConformanceFactory): void {
  describe('schedules: misfires, changes and time zones', () => {
    const ctx = useBackend(factory);

    /** Sets `every 1 minutes` with `misfire`, lets an hour and a half minute pass with no scheduler, ticks once. */
    async function afterDowntime(misfire: MisfirePolicy): Promise<string[]> {
      await schedules(ctx).set('m', 'every 1 minutes', { type: 'm.run' }, { misfire });
      await ctx.clock.advance(HOUR + 30_000);
      const sch = scheduler(ctx, 'a', { maxCatchUp: 5 });
      await sch.tick();
      const stored = await ctx.backend.scheduleGet({ name: 'm' });
      expect(stored?.nextFireAt?.toISOString()).toBe(utc('2030-01-01T01:01:00'));
      await ctx.clock.advance(30_000);
      await sch.tick(); // back on time: 01:01 fires as usual
      await sch.stop();
      return fireTimes(await firedJobs(ctx, 'm'));
    }

    it('misfire once (the default): one job for all the missed times', async () => {
      expect(await afterDowntime('once')).toEqual([utc('2030-01-01T01:00:00'), utc('2030-01-01T01:01:00')]);
    });

    it('misfire skip: no job for missed times', async () => {
      expect(await afterDowntime('skip')).toEqual([utc('2030-01-01T01:01:00')]);
    });

    it('misfire all: each missed time, the latest ones up to the limit', async () => {
      expect(await afterDowntime('all')).toEqual([
        ...['00:56', '00:57', '00:58', '00:59', '01:00'].map((t) => utc(`2030-01-01T${t}:00`)),
        utc('2030-01-01T01:01:00'),
      ]);
    });

    it('a tick a little late still fires each due time, whatever the policy', async () => {
      await schedules(ctx).set('late', 'every 1 seconds', { type: 'l.run' }, { misfire: 'skip' });
      await ctx.clock.advance(3_500);
      const sch = scheduler(ctx, 'a');
      await sch.tick();
      expect(fireTimes(await firedJobs(ctx, 'late'))).toEqual(
        ['00:00:01', '00:00:02', '00:00:03'].map((t) => utc(`2030-01-01T${t}`)),
      );
      await sch.stop();
    });

    it('pause stops fires, resume continues from now without catching up, trigger enqueues now', async () => {
      const s = schedules(ctx);
      await s.set('p', 'every 1 minutes', { type: 'p.run' });
      const sch = scheduler(ctx, 'a');
      await ctx.clock.advance(60_000);
      await sch.tick();
      await s.pause('p');
      expect((await s.get('p'))?.paused).toBe(true);
      expect((await s.list())[0]?.nextFireTimes).toEqual([]);
      await ctx.clock.advance(5 * 60_000);
      await sch.tick();
      expect(await firedJobs(ctx, 'p')).toHaveLength(1);
      const manual = await s.trigger('p');
      expect(manual).toMatchObject({ type: 'p.run', state: 'queued' });
      expect(manual.metadata).toMatchObject({ schedule: 'p', fireAt: utc('2030-01-01T00:06:00') });
      await ctx.clock.advance(30_000);
      const resumed = await s.resume('p');
      expect(resumed.paused).toBe(false);
      expect(resumed.nextFireAt?.toISOString()).toBe(utc('2030-01-01T00:07:00'));
      await sch.tick();
      expect(await firedJobs(ctx, 'p')).toHaveLength(2); // the fire + the trigger, nothing for the pause
      await ctx.clock.advance(30_000);
      await sch.tick();
      expect(fireTimes(await firedJobs(ctx, 'p'))).toEqual(
        ['00:01:00', '00:06:00', '00:07:00'].map((t) => utc(`2030-01-01T${t}`)),
      );
      await expect(s.pause('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await sch.stop();
    });

    it('takes a change of spec, zone or template at run time, from any client', async () => {
      await schedules(ctx).set('c', 'every 1 minutes', { type: 'c.run', payload: 1 });
      const sch = scheduler(ctx, 'a');
      await ctx.clock.advance(60_000);
      await sch.tick();
      const changed = await schedules(ctx).set('c', 'every 15 seconds', { type: 'c.run', payload: 2 });
      expect(changed.lastFireAt?.toISOString()).toBe(utc('2030-01-01T00:01:00'));
      expect(changed.nextFireAt?.toISOString()).toBe(utc('2030-01-01T00:01:15'));
      await ctx.clock.advance(15_000);
      await sch.tick();
      // A template-only change keeps the times.
      const same = await schedules(ctx).set('c', 'every 15 seconds', { type: 'c.other', payload: 3 });
      expect(same.nextFireAt?.toISOString()).toBe(utc('2030-01-01T00:01:30'));
      await ctx.clock.advance(15_000);
      await sch.tick();
      const jobs = await firedJobs(ctx, 'c');
      expect(jobs.map((j) => [j.metadata.fireAt, j.type, j.payload])).toEqual([
        [utc('2030-01-01T00:01:00'), 'c.run', 1],
        [utc('2030-01-01T00:01:15'), 'c.run', 2],
        [utc('2030-01-01T00:01:30'), 'c.other', 3],
      ]);
      await sch.stop();
    });

    it('fires at the right instants across the Europe/Paris spring-forward change', async () => {
      await ctx.clock.set(Date.UTC(2030, 2, 29, 12));
      await schedules(ctx).set('dst', 'every day at 02:30 in Europe/Paris', { type: 'dst.run' });
      await schedules(ctx).set('hourly', '0 * * * *', { type: 'h.run' }, { timezone: 'Europe/Paris' });
      const sch = scheduler(ctx, 'a', { intervalMs: 5_000 });
      // Tick at every scheduled wake-up, as the loop does.
      for (let i = 0; i < 200; i++) {
        const r = await sch.tick();
        if (!r.nextWakeAt || r.nextWakeAt > Date.UTC(2030, 3, 1, 12)) break;
        await ctx.clock.set(r.nextWakeAt);
      }
      expect(fireTimes(await firedJobs(ctx, 'dst'))).toEqual([
        utc('2030-03-30T01:30:00'), // 02:30 CET
        utc('2030-03-31T01:00:00'), // 03:00 CEST: 02:30 did not exist that night
        utc('2030-04-01T00:30:00'), // 02:30 CEST
      ]);
      const hourly = fireTimes(await firedJobs(ctx, 'hourly')).filter((t) => t.startsWith('2030-03-31T0'));
      // Every real hour fires once: the skipped local hour 02:00 is simply not there.
      expect(hourly).toEqual(
        ['00', '01', '02', '03', '04', '05', '06', '07', '08', '09'].map((h) => utc(`2030-03-31T${h}:00:00`)),
      );
      await sch.stop();
    });
  });
}
