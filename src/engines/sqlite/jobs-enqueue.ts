/** `jobsEnqueue`: idempotent ids, unique keys, size caps, all or none. */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { QueueFullError, UniqueConflictError } from '../../core/errors.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import { storedJob, type NewJob } from '../../core/job.js';
import { newJobValues, readJob, type RawJob } from './rows.js';
import type { Store } from './store.js';

interface QueueRow {
  name: string;
  paused: number;
  concurrency: number | null;
  size_cap: number | null;
  size_policy: 'reject' | 'drop-oldest';
}

/**
 * Stores `jobs` in one transaction; any refusal rolls the whole batch back. A created job is
 * returned as built from its `NewJob` (no read back) unless the size cap cancelled it.
 */
export function jobsEnqueue(s: Store, jobs: NewJob[]): EnqueueOutcome[] {
  if (jobs.length === 0) return [];
  return s.write((out) => {
    const now = s.now();
    const created = new Map<string, NewJob>();
    const queues = new Set<string>();
    for (const j of jobs) {
      if (created.has(j.id)) continue;
      // A key is checked only for a new id: enqueueing an existing id returns that job.
      if (j.uniqueKey !== null && s.st.jobGet.get(j.id) === undefined) {
        const holder = s.st.uniqueHolder.pluck().get({ key: j.uniqueKey, id: j.id, now }) as string | undefined;
        if (holder !== undefined) throw new UniqueConflictError(j.uniqueKey, holder);
      }
      if (s.st.jobInsert.run(newJobValues(j)).changes === 0) continue;
      created.set(j.id, j);
      queues.add(j.queue);
      out.push(jobEvent({ id: j.id, type: j.type, queue: j.queue, state: j.state, attempts: 0 }, 'job.enqueued', now));
    }
    const dropped = new Set<string>();
    for (const queue of queues) enforceSizeCap(s, queue, now, out, dropped);
    const reported = new Set<string>();
    return jobs.map((j) => {
      const isNew = created.get(j.id) === j && !reported.has(j.id);
      reported.add(j.id);
      if (isNew && !dropped.has(j.id)) return { job: storedJob(j), created: true };
      return { job: readJob(s.st.jobGet.get(j.id) as RawJob), created: isNew };
    });
  });
}

/**
 * Applies a queue's size cap after new jobs were inserted: `reject` throws (rolling the
 * batch back), `drop-oldest` cancels the oldest waiting jobs until the queue fits.
 */
function enforceSizeCap(s: Store, queue: string, now: number, out: GantryEvent[], dropped: Set<string>): void {
  s.st.queueEnsure.run(queue);
  const q = s.st.queueGet.get(queue) as QueueRow;
  if (q.size_cap === null) return;
  const waiting = s.st.waitingCount.pluck().get({ queue }) as number;
  const excess = waiting - q.size_cap;
  if (excess <= 0) return;
  if (q.size_policy === 'reject') throw new QueueFullError(queue, q.size_cap);
  const oldest = (s.st.oldestWaiting.all({ queue, limit: excess }) as RawJob[]).map(readJob);
  for (const job of oldest) {
    s.st.finish.run({ id: job.id, state: 'cancelled', now });
    dropped.add(job.id);
    out.push(jobEvent({ ...job, state: 'cancelled' }, 'job.cancelled', now));
  }
}
