/** `jobsEnqueue`: idempotent ids, unique keys, size caps, all or none. */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { QueueFullError, UniqueConflictError } from '../../core/errors.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import type { NewJob } from '../../core/job.js';
import { newJobParams, rowEvent, rowToJob, type JobRow } from './rows.js';
import type { Store } from './store.js';

interface QueueRow {
  name: string;
  paused: number;
  concurrency: number | null;
  size_cap: number | null;
  size_policy: 'reject' | 'drop-oldest';
}

/** Stores `jobs` in one transaction; any refusal rolls the whole batch back. */
export function jobsEnqueue(s: Store, jobs: NewJob[]): EnqueueOutcome[] {
  if (jobs.length === 0) return [];
  return s.write((out) => {
    const now = s.now();
    const outcomes: { id: string; created: boolean }[] = [];
    const queues = new Set<string>();
    for (const j of jobs) {
      const existing = s.st.jobGet.get(j.id) as JobRow | undefined;
      if (existing || outcomes.some((o) => o.id === j.id)) {
        outcomes.push({ id: j.id, created: false });
        continue;
      }
      if (j.uniqueKey !== null) {
        const holder = s.st.uniqueHolder.pluck().get({ key: j.uniqueKey, id: j.id, now }) as string | undefined;
        if (holder !== undefined) throw new UniqueConflictError(j.uniqueKey, holder);
      }
      s.st.jobInsert.run(newJobParams(j));
      outcomes.push({ id: j.id, created: true });
      queues.add(j.queue);
      out.push(jobEvent({ ...j, attempts: 0 }, 'job.enqueued', now));
    }
    for (const queue of queues) enforceSizeCap(s, queue, now, out);
    return outcomes.map((o) => ({ job: rowToJob(s.st.jobGet.get(o.id) as JobRow), created: o.created }));
  });
}

/**
 * Applies a queue's size cap after new jobs were inserted: `reject` throws (rolling the
 * batch back), `drop-oldest` cancels the oldest waiting jobs until the queue fits.
 */
function enforceSizeCap(s: Store, queue: string, now: number, out: GantryEvent[]): void {
  s.st.queueEnsure.run(queue);
  const q = s.st.queueGet.get(queue) as QueueRow;
  if (q.size_cap === null) return;
  const waiting = s.st.waitingCount.pluck().get(queue) as number;
  const excess = waiting - q.size_cap;
  if (excess <= 0) return;
  if (q.size_policy === 'reject') throw new QueueFullError(queue, q.size_cap);
  const oldest = s.st.oldestWaiting.all(queue, excess) as JobRow[];
  for (const row of oldest) {
    s.st.finish.run({ id: row.id, state: 'cancelled', now });
    out.push(rowEvent({ ...row, state: 'cancelled' }, 'job.cancelled', now));
  }
}
