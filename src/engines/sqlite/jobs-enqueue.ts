/** `jobsEnqueue`: idempotent ids, unique keys, size caps, all or none. */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { UniqueConflictError } from '../../core/errors.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import { storedJob, type NewJob } from '../../core/job.js';
import { queuesTakingDefaults, sizeCapOverflow, withQueueDefaults, type SizePolicy } from '../../core/queue-rules.js';
import { insertValues, readJob } from './job-columns.js';
import type { Store } from './store.js';

interface SizeCapRow {
  size_cap: number | null;
  size_policy: SizePolicy;
}

/**
 * Stores `jobs` in one transaction; any refusal rolls the whole batch back. A created job is
 * returned as built from its `NewJob` (no read back) unless the size cap cancelled it.
 */
export function jobsEnqueue(s: Store, p: { jobs: NewJob[]; tx?: unknown }): EnqueueOutcome[] {
  if (p.jobs.length === 0) return [];
  return s.write((out) => {
    const jobs = withDefaults(s, p.jobs);
    const now = s.now();
    const created = new Map<string, NewJob>();
    const added = new Map<string, number>();
    for (const j of jobs) {
      if (created.has(j.id)) continue;
      // A key is checked only for a new id: enqueueing an existing id returns that job.
      if (j.uniqueKey !== null && s.st.jobGet.get(j.id) === undefined) {
        const holder = s.st.uniqueHolder.pluck().get({ key: j.uniqueKey, id: j.id, now }) as string | undefined;
        if (holder !== undefined) throw new UniqueConflictError(j.uniqueKey, holder);
      }
      if (s.st.jobInsert.run(insertValues(j)).changes === 0) continue;
      created.set(j.id, j);
      added.set(j.queue, (added.get(j.queue) ?? 0) + 1);
      out.push(jobEvent({ id: j.id, type: j.type, queue: j.queue, state: j.state, attempts: 0 }, 'job.enqueued', now));
    }
    const dropped = new Set<string>();
    for (const [queue, adding] of added) applySizeCap(s, queue, adding, now, out, dropped);
    const reported = new Set<string>();
    return jobs.map((j) => {
      const isNew = created.get(j.id) === j && !reported.has(j.id);
      reported.add(j.id);
      if (isNew && !dropped.has(j.id)) return { job: storedJob(j), created: true };
      return { job: readJob(s.st.jobGet.get(j.id) as unknown[]), created: isNew };
    });
  });
}

/** A queue's job defaults as stored. */
interface DefaultsRow {
  name: string;
  timeout_ms: number | null;
  max_attempts: number | null;
}

/** The jobs with their queues' defaults (the core's `withQueueDefaults`), read in the write transaction. */
function withDefaults(s: Store, jobs: NewJob[]): NewJob[] {
  const queues = queuesTakingDefaults(jobs);
  if (queues.length === 0) return jobs;
  const rows = s.st.queueJobDefaults.all(JSON.stringify(queues)) as DefaultsRow[];
  const defaults = new Map(rows.map((r) => [r.name, { timeoutMs: r.timeout_ms, maxAttempts: r.max_attempts }]));
  return withQueueDefaults(jobs, defaults);
}

/**
 * Applies a queue's size cap after `adding` new jobs were inserted, as the core's
 * `sizeCapOverflow` decides: it throws (rolling the batch back), or the oldest waiting jobs
 * (the new ones counted as the newest) are cancelled.
 */
function applySizeCap(
  s: Store,
  queue: string,
  adding: number,
  now: number,
  out: GantryEvent[],
  dropped: Set<string>,
): void {
  s.st.queueEnsure.run(queue);
  const q = s.st.queueGet.get(queue) as SizeCapRow;
  if (q.size_cap === null) return;
  const waiting = (s.st.waitingCount.pluck().get({ queue }) as number) - adding;
  const excess = sizeCapOverflow({ queue, sizeCap: q.size_cap, sizePolicy: q.size_policy, waiting, adding });
  if (excess === 0) return;
  for (const job of (s.st.oldestWaiting.all({ queue, limit: excess }) as unknown[][]).map((r) => readJob(r))) {
    s.st.finish.run({ id: job.id, state: 'cancelled', now });
    dropped.add(job.id);
    out.push(jobEvent({ ...job, state: 'cancelled' }, 'job.cancelled', now));
  }
}
