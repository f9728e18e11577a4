/**
 * The shapes of the public HTTP API (`/api/v1`) as the dashboard reads them. The dashboard
 * depends on the HTTP contract only, never on server code; the job's JSON form, its states and
 * the event shape come from the core itself (pure types and constants), so the job record and
 * its lifecycle are defined once.
 */
import type { JobState } from '../../../src/core/job.js';

export { JOB_STATES, LIVE_STATES, FINAL_STATES, type JobState, type JobProgress } from '../../../src/core/job.js';
export type { GantryEvent } from '../../../src/core/events.js';

/** A job and one failed attempt as the API returns them: the job record's fields, times as ISO text. */
export type { JobJson, JobErrorJson } from '../../../src/core/serialize.js';
import type { JobJson } from '../../../src/core/serialize.js';

/** One page of jobs. */
export interface JobPage {
  jobs: JobJson[];
  nextCursor: string | null;
}

/** Counts by state. */
export type { StateCounts } from '../../../src/core/queue-rules.js';
import type { StateCounts } from '../../../src/core/queue-rules.js';

/** A queue's settings and counts. */
export interface QueueJson {
  name: string;
  paused: boolean;
  concurrency: number | null;
  sizeCap?: number | null;
  sizePolicy?: 'reject' | 'drop-oldest';
  /** Timeout of each attempt of jobs enqueued without one, ms. */
  timeoutMs?: number | null;
  /** Attempts of jobs enqueued without maxAttempts. */
  maxAttempts?: number | null;
  /** Weight for workers that list the queue without one. */
  weight?: number | null;
  counts: StateCounts;
  /** `runAt` of the oldest due waiting job; `null` when none is due. */
  oldestDueAt?: string | null;
  /** How long that job has waited, ms (the server's clock). */
  latencyMs?: number | null;
  /** Live workers that take jobs from this queue. */
  workers?: number;
}

/** A worker's registration. */
export interface WorkerJson {
  id: string;
  host: string;
  pid: number;
  queues: { name: string; weight: number }[];
  concurrency: number;
  running: string[];
  startedAt: string;
  lastSeenAt: string;
  kind?: string;
}

/** A recurring schedule. */
export interface ScheduleJson {
  name: string;
  spec: string;
  timezone: string | null;
  template: { type: string; queue?: string; payload?: unknown; options?: Record<string, unknown> };
  paused: boolean;
  misfire?: 'skip' | 'once' | 'all';
  lastFireAt: string | null;
  nextFireAt: string | null;
  /** Upcoming fire times, when the server offers them. */
  nextFireTimes?: string[];
  /** The newest job the schedule enqueued (fired or triggered), with its state. */
  lastRun?: { jobId: string; state: JobState; at: string } | null;
}

/** What `PUT /schedules/{name}` takes. */
export interface ScheduleBody {
  spec: string;
  timezone?: string | null;
  template: { type: string; queue?: string; payload?: unknown; options?: Record<string, unknown> };
  paused?: boolean;
}

/** What a token may do: `read` looks, `write` enqueues, `admin` operates. */
export type Role = 'read' | 'write' | 'admin';

/** Filters of the jobs list, as the API takes them. */
export interface JobFilter {
  queue?: string;
  state?: string;
  type?: string;
  tag?: string;
  /** One id or several, comma-separated. */
  id?: string;
  /** Case-insensitive substring of id, type or payload. */
  text?: string;
}

/** One minute of `GET /stats` throughput. */
export interface ThroughputMinute {
  minute: string;
  enqueued: number;
  completed: number;
  /** Jobs failed for good. */
  failed: number;
  /** Failed attempts that will be retried. */
  retried: number;
}

/** `GET /stats`: totals, counts per queue, workers and the last hour's throughput per minute. */
export interface Stats {
  engine: string;
  totals: StateCounts;
  queues: Record<string, StateCounts>;
  workers: number;
  throughput: ThroughputMinute[];
}
