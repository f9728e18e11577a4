/**
 * A schedule's last run as the Schedules page shows it: the newest job it enqueued, fired at a
 * fire time or triggered by hand, with that job's state. The stored `lastFireAt` is the
 * scheduler's own mark and moves only with fire times; a trigger leaves it alone.
 */
import type { ScheduleRecord } from '../backend/backend.js';
import type { Client } from '../client/client.js';
import { DEFAULT_QUEUE } from '../core/constants.js';
import type { Job, JobState } from '../core/job.js';
import { scheduledJobId } from '../scheduler/template.js';

/** Newest jobs of a schedule's type and queue looked at for its runs (fired and triggered). */
const RECENT_JOBS = 50;

/** A schedule's last run. */
export interface LastRun {
  jobId: string;
  state: JobState;
  /** When it was enqueued. */
  at: string;
}

/**
 * The newest job `rec` enqueued: among the newest jobs of its type in its queue (where a
 * trigger's job is), else the job of its last fire time (found by its id, which the fire time
 * decides). `null` when neither is there (never run, or removed by retention).
 */
export async function lastRun(client: Client, rec: ScheduleRecord): Promise<LastRun | null> {
  const queue = rec.template.queue ?? DEFAULT_QUEUE;
  const { jobs } = await client.list({ type: rec.template.type, queue, limit: RECENT_JOBS });
  let found: Job | null = jobs.find((j) => j.metadata.schedule === rec.name) ?? null;
  if (!found && rec.lastFireAt) found = await client.get(scheduledJobId(rec.name, rec.lastFireAt.getTime()));
  return found ? { jobId: found.id, state: found.state, at: found.createdAt.toISOString() } : null;
}
