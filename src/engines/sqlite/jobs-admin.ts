/**
 * Operator and maintenance changes: cancel, retry, delete, promote, expire, reap, prune.
 * Which transition is allowed is the core's `assertTransition`; this module makes it atomic.
 */
import type { PruneParams } from '../../backend/backend.js';
import { jobEvent } from '../../core/events.js';
import { InvalidTransitionError, NotFoundError, UniqueConflictError } from '../../core/errors.js';
import { FINAL_STATES, assertTransition, isFinal, type Job, type JobState } from '../../core/job.js';
import { readJob, rowEvent, type JobEventRow, type RawJob } from './rows.js';
import type { Store } from './store.js';

function mustGet(s: Store, id: string): Job {
  const row = s.st.jobGet.get(id) as RawJob | undefined;
  if (!row) throw new NotFoundError('job', id);
  return readJob(row);
}

/** Live job → `cancelled`; a running job's lease ends with it. */
export function jobCancel(s: Store, id: string): Job {
  return s.write((out) => {
    const row = mustGet(s, id);
    assertTransition(id, row.state, 'cancelled');
    const now = s.now();
    s.st.finish.run({ id, state: 'cancelled', now });
    out.push(jobEvent({ ...row, state: 'cancelled' }, 'job.cancelled', now));
    return mustGet(s, id);
  });
}

/** Final job → `queued` with a fresh attempt budget; its errors are kept. */
export function jobRetry(s: Store, id: string): Job {
  return s.write((out) => {
    const row = mustGet(s, id);
    assertTransition(id, row.state, 'queued');
    const now = s.now();
    if (row.uniqueKey !== null) {
      const holder = s.st.uniqueHolder.pluck().get({ key: row.uniqueKey, id, now }) as string | undefined;
      if (holder !== undefined) throw new UniqueConflictError(row.uniqueKey, holder);
    }
    s.st.retry.run({ id, now });
    s.st.queueEnsure.run(row.queue);
    const job = mustGet(s, id);
    out.push(jobEvent(job, 'job.enqueued', now));
    return job;
  });
}

/** Deletes a final job (any job with `force`). */
export function jobDelete(s: Store, id: string, force: boolean): void {
  s.write((out) => {
    const row = mustGet(s, id);
    if (!force && !isFinal(row.state)) {
      throw new InvalidTransitionError(
        id,
        row.state,
        'deleted',
        'only finished jobs can be deleted; cancel it first or use force',
      );
    }
    s.st.jobDelete.run(id);
    out.push(jobEvent(row, 'job.deleted', s.now()));
  });
}

/** Due scheduled/retrying jobs → queued. */
export function jobsPromote(s: Store, limit: number): number {
  return s.write(() => s.st.promoteAll.run({ now: s.now(), limit }).changes);
}

/** Waiting jobs past their deadline → expired. */
export function jobsExpire(s: Store, limit: number): number {
  return s.write((out) => {
    const now = s.now();
    const rows = s.st.expire.all({ now, limit }) as JobEventRow[];
    for (const r of rows) out.push(rowEvent(r, 'job.expired', now));
    return rows.length;
  });
}

/** Running jobs whose lease ended before now. */
export function jobsLeaseExpiredList(s: Store, limit: number): Job[] {
  return (s.st.leaseExpired.all({ now: s.now(), limit }) as RawJob[]).map(readJob);
}

/** Retention: finished jobs by age and by count per queue and state, old events. */
export function jobsPrune(s: Store, p: PruneParams): number {
  return s.write(() => {
    let deleted = 0;
    const queues = s.st.queuesAll.all() as { name: string }[];
    for (const { name: queue } of queues) {
      for (const state of FINAL_STATES) {
        const before = p.finishedBefore[state as JobState];
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
