/**
 * Operator and maintenance changes: cancel, retry, delete, promote, expire, lease recovery's
 * list, prune. Which transition is allowed is the core's `assertTransition`; this module makes
 * it atomic.
 */
import type { PruneParams } from '../../backend/backend.js';
import { jobEvent, type EventJobFields } from '../../core/events.js';
import { NotFoundError, UniqueConflictError } from '../../core/errors.js';
import { FINAL_STATES, assertDeletable, assertTransition, type Job } from '../../core/job.js';
import { assertPromotable } from '../../core/promote.js';
import { readJob } from './job-columns.js';
import type { Store } from './store.js';

function mustGet(s: Store, id: string): Job {
  const row = s.st.jobGet.get(id) as unknown[] | undefined;
  if (!row) throw new NotFoundError('job', id);
  return readJob(row);
}

/** Live job → `cancelled`; a running job's lease ends with it. */
export function jobCancel(s: Store, p: { id: string }): Job {
  return s.write((out) => {
    const row = mustGet(s, p.id);
    assertTransition(p.id, row.state, 'cancelled');
    const now = s.now();
    s.st.finish.run({ id: p.id, state: 'cancelled', now });
    const job = mustGet(s, p.id);
    out.push(jobEvent(job, 'job.cancelled', now));
    return job;
  });
}

/** Final job → `queued` with a fresh attempt budget; its errors are kept. */
export function jobRetry(s: Store, p: { id: string }): Job {
  return s.write((out) => {
    const row = mustGet(s, p.id);
    assertTransition(p.id, row.state, 'queued');
    const now = s.now();
    if (row.uniqueKey !== null) {
      const holder = s.st.uniqueHolder.pluck().get({ key: row.uniqueKey, id: p.id, now }) as string | undefined;
      if (holder !== undefined) throw new UniqueConflictError(row.uniqueKey, holder);
    }
    s.st.retry.run({ id: p.id, now });
    s.st.queueEnsure.run(row.queue);
    const job = mustGet(s, p.id);
    out.push(jobEvent(job, 'job.enqueued', now));
    return job;
  });
}

/** Deletes a final job (any job with `force`). */
export function jobDelete(s: Store, p: { id: string; force?: boolean }): void {
  s.write((out) => {
    const row = mustGet(s, p.id);
    assertDeletable(p.id, row.state, p.force ?? false);
    s.st.jobDelete.run(p.id);
    out.push(jobEvent(row, 'job.deleted', s.now()));
  });
}

/** A delayed or retrying job → `queued` with `runAt` = now ("run it now"); its `job.enqueued` wakes workers. */
export function jobPromote(s: Store, p: { id: string }): Job {
  return s.write((out) => {
    assertPromotable(p.id, mustGet(s, p.id).state);
    const now = s.now();
    s.st.promoteOne.run({ id: p.id, now });
    const job = mustGet(s, p.id);
    out.push(jobEvent(job, 'job.enqueued', now));
    return job;
  });
}

/** Due scheduled/retrying jobs → queued, each with its `job.enqueued`. */
export function jobsPromote(s: Store, p: { limit: number }): number {
  return s.write((out) => {
    const now = s.now();
    const rows = s.st.promoteAll.all({ now, limit: p.limit }) as EventJobFields[];
    for (const r of rows) out.push(jobEvent(r, 'job.enqueued', now));
    return rows.length;
  });
}

/** Waiting jobs past their deadline → expired. */
export function jobsExpire(s: Store, p: { limit: number }): number {
  return s.write((out) => {
    const now = s.now();
    const rows = s.st.expire.all({ now, limit: p.limit }) as EventJobFields[];
    for (const r of rows) out.push(jobEvent(r, 'job.expired', now));
    return rows.length;
  });
}

/** Running jobs whose lease ended before now. */
export function jobsLeaseExpiredList(s: Store, p: { limit: number }): Job[] {
  return (s.st.leaseExpired.all({ now: s.now(), limit: p.limit }) as unknown[][]).map((r) => readJob(r));
}

/** Retention: finished jobs by age and by count per queue and state, old events. */
export function jobsPrune(s: Store, p: PruneParams): number {
  return s.write(() => {
    let deleted = 0;
    const queues = s.st.queuesAll.all() as { name: string }[];
    for (const { name: queue } of queues) {
      for (const state of FINAL_STATES) {
        const before = p.finishedBefore[state];
        if (before) deleted += s.st.pruneFinished.run({ queue, state, before: before.getTime() }).changes;
        if (p.maxPerQueueState !== undefined) {
          deleted += s.st.pruneExcess.run({ queue, state, keep: p.maxPerQueueState }).changes;
        }
      }
    }
    if (p.eventsBefore) s.st.eventsPrune.run(p.eventsBefore.getTime());
    return deleted;
  });
}
