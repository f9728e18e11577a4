/**
 * Helpers of the schedule conformance groups: a `ScheduleClient` and `Scheduler`s on the
 * backend under test, and the jobs the schedules fired, read back through the Backend.
 */
import type { Backend } from '../../src/backend/backend.js';
import { ScheduleClient } from '../../src/client/schedules.js';
import type { Job } from '../../src/core/job.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import type { BackendContext } from './fixtures.js';

/** A schedule client on the backend under test. */
export function schedules(ctx: BackendContext): ScheduleClient {
  return new ScheduleClient(ctx.backend);
}

/** A scheduler on the backend under test with the given holder name and options. */
export function scheduler(ctx: BackendContext, holder: string, opts: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({ backend: ctx.backend, holder, onError: (e) => console.error(e), ...opts });
}

/**
 * The backend seen by a scheduler whose lease has lapsed without it noticing (a long pause):
 * every call goes to the real engine, but `leaderElect` always answers yes, so several such
 * schedulers are leaders at once and only the unique key + compare-and-set keep fires single.
 */
export function splitBrain(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      if (prop === 'leaderElect') return async () => true;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Every job schedule `name` fired, oldest fire first. */
export async function firedJobs(ctx: BackendContext, name?: string): Promise<Job[]> {
  const { jobs } = await ctx.backend.jobsList({ limit: 1000 });
  return jobs
    .filter((j) => j.metadata.schedule !== undefined && (name === undefined || j.metadata.schedule === name))
    .sort((a, b) => String(a.metadata.fireAt).localeCompare(String(b.metadata.fireAt)));
}

/** The fire times of `jobs` as ISO text. */
export function fireTimes(jobs: Job[]): string[] {
  return jobs.map((j) => String(j.metadata.fireAt));
}

/** ISO text of a UTC time given as `YYYY-MM-DDTHH:MM:SS`. */
export function utc(text: string): string {
  return new Date(`${text}Z`).toISOString();
}
