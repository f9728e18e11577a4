import { describe, expect, it } from 'vitest';
import { planFires, type MisfirePolicy } from '../../src/scheduler/plan.js';
import { parseSchedule } from '../../src/scheduler/spec.js';
import { scheduledJobId } from '../../src/scheduler/template.js';
import { isUuid } from '../../src/core/ids.js';

const T0 = Date.UTC(2030, 0, 1);
const spec = parseSchedule('every 1 minutes');

function plan(misfire: MisfirePolicy, nextFireAt: number, now: number, maxCatchUp = 3, graceMs = 90_000): string[] {
  return planFires({ spec, nextFireAt: new Date(nextFireAt), now, misfire, graceMs, maxCatchUp }).fireTimes.map((d) =>
    d.toISOString().slice(11, 16),
  );
}

describe('planFires', () => {
  it('fires nothing before the next fire time and keeps it', () => {
    const p = planFires({
      spec,
      nextFireAt: new Date(T0 + 60_000),
      now: T0 + 59_999,
      misfire: 'once',
      graceMs: 0,
      maxCatchUp: 1,
    });
    expect(p).toEqual({ fireTimes: [], nextFireAt: new Date(T0 + 60_000) });
  });

  it('fires every late time within the grace, whatever the policy', () => {
    for (const m of ['skip', 'once', 'all'] as const)
      expect(plan(m, T0 + 60_000, T0 + 150_000)).toEqual(['00:01', '00:02']);
  });

  it('applies the policy to times older than the grace', () => {
    const now = T0 + 10 * 60_000 + 30_000; // 00:10:30; grace 90 s → 00:09 and 00:10 are late, 00:01–00:08 missed
    expect(plan('skip', T0 + 60_000, now)).toEqual(['00:09', '00:10']);
    expect(plan('once', T0 + 60_000, now)).toEqual(['00:09', '00:10']);
    expect(plan('all', T0 + 60_000, now)).toEqual(['00:08', '00:09', '00:10']);
    expect(plan('all', T0 + 60_000, now, 5)).toEqual(['00:06', '00:07', '00:08', '00:09', '00:10']);
    const later = T0 + 10 * 60_000 + 100_000; // 00:11:40: 00:11 is late only
    expect(plan('once', T0 + 60_000, later)).toEqual(['00:11']);
    // Grace 20 s at 00:10:30: nothing is late, 00:01–00:10 are all missed.
    expect(plan('once', T0 + 60_000, now, 3, 20_000)).toEqual(['00:10']);
    expect(plan('skip', T0 + 60_000, now, 3, 20_000)).toEqual([]);
    expect(plan('all', T0 + 60_000, now, 3, 20_000)).toEqual(['00:08', '00:09', '00:10']);
  });

  it('always moves the next fire time past now', () => {
    const p = planFires({
      spec,
      nextFireAt: new Date(T0 + 60_000),
      now: T0 + 3600_000,
      misfire: 'skip',
      graceMs: 0,
      maxCatchUp: 1,
    });
    expect(p.nextFireAt?.getTime()).toBe(T0 + 3660_000);
    expect(p.fireTimes.map((d) => d.getTime())).toEqual([T0 + 3600_000]); // exactly now is on time
  });
});

describe('scheduledJobId', () => {
  it('is a UUIDv7 of the fire time, the same for the same name and time only', () => {
    const id = scheduledJobId('nightly', T0);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(T0);
    expect(scheduledJobId('nightly', T0)).toBe(id);
    expect(scheduledJobId('nightly', T0 + 1)).not.toBe(id);
    expect(scheduledJobId('nightly2', T0)).not.toBe(id);
    expect(scheduledJobId('a', T0 + 1000) > scheduledJobId('z', T0)).toBe(true); // k-sortable by fire time
  });
});
