/**
 * Which fire times a due schedule fires now: a pure function of the spec, the stored next fire
 * time and the time, so every scheduler (and two leaders for a moment) decides the same.
 */
import { nextFireTime, previousFireTimes, type ScheduleSpec } from './spec.js';

/** What to do with fire times missed while no scheduler ran. */
export type MisfirePolicy = 'skip' | 'once' | 'all';

/** The misfire policies, for validation. */
export const MISFIRE_POLICIES: readonly MisfirePolicy[] = ['skip', 'once', 'all'];

/** Inputs of `planFires`. */
export interface PlanInput {
  spec: ScheduleSpec;
  /** The stored next fire time (due when `<= now`). */
  nextFireAt: Date;
  now: number;
  misfire: MisfirePolicy;
  /** Due times at most this old are late, not missed: each fires. */
  graceMs: number;
  /** Most fire times one plan fires with policy `all`. */
  maxCatchUp: number;
}

/** The outcome: the fire times to enqueue (oldest first) and the next fire time to store. */
export interface FirePlan {
  fireTimes: Date[];
  nextFireAt: Date | null;
}

/** Upper bound on late fire times enumerated in one plan (a 1-second schedule within the grace). */
const MAX_RECENT = 1000;

/** Due times in `[max(nextFireAt, cutoff), now]`, oldest first. */
function recentDue(spec: ScheduleSpec, nextFireAt: number, cutoff: number, now: number): number[] {
  const out: number[] = [];
  let after = nextFireAt;
  if (nextFireAt >= cutoff) out.push(nextFireAt);
  else after = cutoff - 1;
  // One at a time: the window is short, and enumerating far ahead is what costs.
  for (
    let t = nextFireTime(spec, after);
    t && t.getTime() <= now && out.length < MAX_RECENT;
    t = nextFireTime(spec, t)
  ) {
    out.push(t.getTime());
  }
  return out;
}

/** The latest `n` missed due times (before `cutoff`, from `nextFireAt` on), oldest first. */
function missedDue(spec: ScheduleSpec, nextFireAt: number, cutoff: number, n: number): number[] {
  if (nextFireAt >= cutoff || n <= 0) return [];
  const prev = previousFireTimes(spec, cutoff, n)
    .map((d) => d.getTime())
    .filter((t) => t > nextFireAt);
  if (prev.length < n) prev.push(nextFireAt);
  return prev.reverse();
}

/**
 * Plans the fires of a due schedule. Due times are the stored `nextFireAt` and every fire time
 * after it up to `now`. Those within `graceMs` of now each fire. Older ones were missed:
 * `skip` drops them, `once` fires one job for them all (at the latest missed time) unless a
 * late one fires anyway, `all` fires each, keeping the latest `maxCatchUp` in all.
 */
export function planFires(input: PlanInput): FirePlan {
  const { spec, now, misfire, graceMs, maxCatchUp } = input;
  const next = input.nextFireAt.getTime();
  const nextFireAt = nextFireTime(spec, now);
  if (next > now) return { fireTimes: [], nextFireAt: input.nextFireAt };
  const cutoff = now - graceMs;
  const recent = recentDue(spec, next, cutoff, now);
  let times: number[];
  if (misfire === 'skip') times = recent;
  else if (misfire === 'once') times = recent.length > 0 ? recent : missedDue(spec, next, cutoff, 1);
  else times = [...missedDue(spec, next, cutoff, maxCatchUp), ...recent].slice(-Math.max(1, maxCatchUp));
  return { fireTimes: times.map((t) => new Date(t)), nextFireAt };
}
