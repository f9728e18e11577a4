/**
 * What the dashboard and `/stats` read from an engine about throughput and waiting: the shapes
 * of `Backend.jobsCountFinished` and `Backend.jobsFindOldestDue`. Both are answered from what
 * an engine stores anyway (finish times of kept jobs, the dispatch order of waiting ones), so
 * neither adds work to a claim or a completion.
 */

import { FINISHED_BUCKET_MS } from '../core/constants.js';

export { FINISHED_BUCKET_MS };

/** How many jobs of one queue finished in one minute, by outcome. */
export interface FinishedMinute {
  queue: string;
  /** Start of the minute (a multiple of `FINISHED_BUCKET_MS` since the epoch). */
  minute: Date;
  completed: number;
  failed: number;
}

/** Parameters of `Backend.jobsCountFinished`. */
export interface CountFinishedParams {
  /** The queues to count; other queues are left out. */
  queues: string[];
  /** Jobs that finished at or after this time. */
  since: Date;
}

/** Parameters of `Backend.jobsFindOldestDue`. */
export interface FindOldestDueParams {
  queues: string[];
}

/** Sums per-minute rows over queues: one row per minute, oldest first. */
export function sumMinutes(rows: FinishedMinute[]): { minute: Date; completed: number; failed: number }[] {
  const by = new Map<number, { minute: Date; completed: number; failed: number }>();
  for (const r of rows) {
    const t = r.minute.getTime();
    const m = by.get(t) ?? { minute: r.minute, completed: 0, failed: 0 };
    m.completed += r.completed;
    m.failed += r.failed;
    by.set(t, m);
  }
  return [...by.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime());
}
