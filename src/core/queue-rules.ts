/**
 * The rules of queues that every engine applies the same way: what a queue's size cap does to
 * an enqueue, how many jobs a claim may take from a queue, and which events (and so which
 * wake-ups) a change of settings makes. Engines count and store; these functions decide.
 */
import { QueueFullError } from './errors.js';
import type { GantryEvent } from './events.js';
import { JOB_STATES, type JobState, type NewJob } from './job.js';

/** Counts of jobs by state (every state present). */
export type StateCounts = Record<JobState, number>;

/** Counts with every state at zero: what a queue without jobs reports. */
export function emptyStateCounts(): StateCounts {
  const counts = {} as StateCounts;
  for (const s of JOB_STATES) counts[s] = 0;
  return counts;
}

/** What enqueue does when a queue is at its size cap. */
export type SizePolicy = 'reject' | 'drop-oldest';

/** The settings of a queue that the rules read. */
export interface QueueSettingsRecord {
  paused: boolean;
  /** Cluster-wide cap on running jobs; `null` for none. */
  concurrency: number | null;
  /** Cap on waiting jobs (scheduled, queued, retrying); `null` for none. */
  sizeCap: number | null;
  sizePolicy: SizePolicy;
  /** Most one attempt of a job of this queue may run, ms, for jobs that name no timeout; `null`: none. */
  timeoutMs: number | null;
  /** Attempts of a job of this queue that names none; `null`: Gantry's default (`DEFAULT_MAX_ATTEMPTS`). */
  maxAttempts: number | null;
  /** Weight of this queue for every worker that names none for it; `null`: `DEFAULT_QUEUE_WEIGHT`. */
  weight: number | null;
}

/** A queue's name, settings and counts (what `queuesList` answers per queue); no counts is all zero. */
export function queueInfoOf(
  name: string,
  settings: QueueSettingsRecord,
  counts?: StateCounts,
): QueueSettingsRecord & { name: string; counts: StateCounts } {
  return { name, ...settings, counts: counts ?? emptyStateCounts() };
}

/** The settings of a queue nobody configured. */
export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettingsRecord> = {
  paused: false,
  concurrency: null,
  sizeCap: null,
  sizePolicy: 'reject',
  timeoutMs: null,
  maxAttempts: null,
  weight: null,
};

/** The settings of a queue that a job naming none takes at enqueue (see `applyQueueDefaults`). */
export type QueueJobDefaults = Pick<QueueSettingsRecord, 'timeoutMs' | 'maxAttempts'>;

/** True when a queue with these settings changes the jobs enqueued to it that name no value. */
export function hasJobDefaults(d: QueueJobDefaults | undefined): d is QueueJobDefaults {
  return d !== undefined && (d.timeoutMs !== null || d.maxAttempts !== null);
}

/**
 * The job as stored in a queue with defaults `d`: each field the request left to Gantry's
 * default (`NewJob.defaulted`) takes the queue's value when it has one. The same job when
 * nothing changes, so engines may compare by identity.
 */
export function applyQueueDefaults(job: NewJob, d: QueueJobDefaults | undefined): NewJob {
  if (!job.defaulted || !hasJobDefaults(d)) return job;
  const out = { ...job };
  let changed = false;
  for (const field of job.defaulted) {
    const value = d[field];
    if (value !== null) {
      out[field] = value;
      changed = true;
    }
  }
  return changed ? out : job;
}

/**
 * `jobs` with their queues' defaults applied (`applyQueueDefaults`); `defaults` holds the
 * queues that have any. The same array when nothing changes.
 */
export function withQueueDefaults(jobs: NewJob[], defaults: ReadonlyMap<string, QueueJobDefaults>): NewJob[] {
  if (defaults.size === 0) return jobs;
  return jobs.map((j) => applyQueueDefaults(j, defaults.get(j.queue)));
}

/** The queues of the jobs that leave a field to the defaults: those whose queue's defaults an engine reads. */
export function queuesTakingDefaults(jobs: readonly NewJob[]): string[] {
  const names = new Set<string>();
  for (const j of jobs) if (j.defaulted) names.add(j.queue);
  return [...names];
}

/**
 * How many of the queue's waiting jobs an enqueue of `adding` new jobs must cancel, oldest first
 * (by creation time, then id, the new jobs counted as the newest), so that no more than `sizeCap`
 * wait; 0 when they fit. With policy `reject` a batch that does not fit throws `QueueFullError`
 * and nothing is stored. With `drop-oldest` the count may exceed `waiting`: the batch's own
 * oldest jobs are then cancelled too.
 */
export function sizeCapOverflow(p: {
  queue: string;
  sizeCap: number | null;
  sizePolicy: SizePolicy;
  /** Jobs waiting in the queue before this enqueue. */
  waiting: number;
  /** New jobs this enqueue adds to the queue. */
  adding: number;
}): number {
  if (p.sizeCap === null) return 0;
  const excess = p.waiting + p.adding - p.sizeCap;
  if (excess <= 0) return 0;
  if (p.sizePolicy === 'reject') throw new QueueFullError(p.queue, p.sizeCap);
  return excess;
}

/**
 * How many jobs a claim may take from one queue: what the claim still wants (`limit` plus
 * `prefetch` minus what it took so far), and for a capped queue no more than the cap leaves free
 * and no more than `limit` across all capped queues of the claim (a prefetched job must not hold
 * a capped queue's slot while it waits in a worker's buffer).
 */
export function claimRoom(p: {
  limit: number;
  prefetch: number;
  /** Jobs this claim took so far, from every queue. */
  taken: number;
  /** Jobs this claim took so far from capped queues. */
  takenCapped: number;
  concurrency: number | null;
  /** Jobs of this queue running now (only read when it is capped). */
  running: number;
}): number {
  const want = Math.max(0, p.limit) + Math.max(0, Math.floor(p.prefetch)) - p.taken;
  if (p.concurrency === null) return Math.max(0, want);
  return Math.max(0, Math.min(want, p.limit - p.takenCapped, p.concurrency - p.running));
}

/** The settings a queue has after `change` (an `undefined` field keeps its value; `null` clears a cap). */
export function queueSettingsApply(
  before: QueueSettingsRecord,
  change: Partial<QueueSettingsRecord>,
): QueueSettingsRecord {
  return {
    paused: change.paused ?? before.paused,
    concurrency: change.concurrency === undefined ? before.concurrency : change.concurrency,
    sizeCap: change.sizeCap === undefined ? before.sizeCap : change.sizeCap,
    sizePolicy: change.sizePolicy ?? before.sizePolicy,
    timeoutMs: change.timeoutMs === undefined ? before.timeoutMs : change.timeoutMs,
    maxAttempts: change.maxAttempts === undefined ? before.maxAttempts : change.maxAttempts,
    weight: change.weight === undefined ? before.weight : change.weight,
  };
}

/** The fields of a queue's settings whose change makes a `queue.updated` event. */
const UPDATED_FIELDS = ['concurrency', 'sizeCap', 'sizePolicy', 'timeoutMs', 'maxAttempts', 'weight'] as const;

/**
 * The events of a change of a queue's settings: `queue.paused` or `queue.resumed` when pausing
 * changed, `queue.updated` when a cap, the policy or a default changed. A resume and an update wake the
 * queue's workers (see `wakesWorkers`): a raised or removed concurrency cap may let jobs run.
 */
export function queueChangeEvents(
  queue: string,
  before: QueueSettingsRecord,
  after: QueueSettingsRecord,
  at: number,
): GantryEvent[] {
  const events: GantryEvent[] = [];
  if (before.paused !== after.paused) events.push({ type: after.paused ? 'queue.paused' : 'queue.resumed', at, queue });
  if (UPDATED_FIELDS.some((f) => before[f] !== after[f])) events.push({ type: 'queue.updated', at, queue });
  return events;
}
