/**
 * Operator actions (cancel, retry, delete) and maintenance (promote, expire, lease recovery's
 * list, prune). Which transition is allowed and what a refusal says are the core's rules.
 */
import type { PruneParams } from '../../backend/backend.js';
import { InvalidTransitionError, NotFoundError, UniqueConflictError } from '../../core/errors.js';
import { jobEvent, type EventJobFields } from '../../core/events.js';
import { deleteRefusal, transitionRefusal, type Job, type JobState } from '../../core/job.js';
import { isUniqueViolation, run, runCount, withTx, type Queryable, type Statement } from './connection.js';
import { emit, now, type Ctx } from './context.js';
import { assertPromotable } from '../../core/promote.js';
import { readJob } from './job-columns.js';
import { jobGet } from './jobs-query.js';

/** Throws the refusal of moving job `id` to `to`: not found, or not allowed from its state. */
async function refuse(ctx: Ctx, id: string, to: JobState | 'deleted'): Promise<never> {
  const job = await jobGet(ctx, { id });
  if (!job) throw new NotFoundError('job', id);
  throw to === 'deleted' ? deleteRefusal(id, job.state) : transitionRefusal(id, job.state, to);
}

/** Live → cancelled. */
export async function jobCancel(ctx: Ctx, p: { id: string }): Promise<Job> {
  const t = ctx.clock.now();
  const job = await withTx(ctx.pool, async (db) => {
    const [r] = await run(db, ctx.jobs.cancel, [p.id, new Date(t)]);
    if (!r) return null;
    const cancelled = readJob(r);
    await emit(ctx, db, [jobEvent(cancelled, 'job.cancelled', t)]);
    return cancelled;
  });
  return job ?? refuse(ctx, p.id, 'cancelled');
}

/** Throws `UniqueConflictError` when another job holds `job`'s unique key (live, or in its window). */
async function checkUniqueFree(ctx: Ctx, db: Queryable, job: Job | null): Promise<void> {
  if (!job?.uniqueKey) return;
  const [holder] = await run<{ id: string }>(db, ctx.jobs.uniqueHolders, [[job.uniqueKey], [job.id], now(ctx)]);
  if (holder) throw new UniqueConflictError(job.uniqueKey, holder.id);
}

/** Final → queued with a fresh attempt budget, unless another job holds its unique key. */
export async function jobRetry(ctx: Ctx, p: { id: string }): Promise<Job> {
  const t = ctx.clock.now();
  let job: Job | null;
  try {
    job = await withTx(ctx.pool, async (db) => {
      await checkUniqueFree(ctx, db, await jobGet(ctx, p));
      const [r] = await run(db, ctx.jobs.retry, [p.id, new Date(t)]);
      if (!r) return null;
      const queued = readJob(r);
      await emit(ctx, db, [jobEvent(queued, 'job.enqueued', t)]);
      return queued;
    });
  } catch (err) {
    // Another transaction made a job with the key live between the check and the update.
    if (!isUniqueViolation(err, 'jobs_unique_live')) throw err;
    await checkUniqueFree(ctx, ctx.pool, await jobGet(ctx, p));
    throw err;
  }
  return job ?? refuse(ctx, p.id, 'queued');
}

/** Deletes a final job (any job with `force`). */
export async function jobDelete(ctx: Ctx, p: { id: string; force?: boolean }): Promise<void> {
  const t = ctx.clock.now();
  const gone = await withTx(ctx.pool, async (db) => {
    const [r] = await run<EventJobFields>(db, ctx.jobs.delete, [p.id, p.force ?? false]);
    if (r) await emit(ctx, db, [jobEvent(r, 'job.deleted', t)]);
    return r !== undefined;
  });
  if (!gone) await refuse(ctx, p.id, 'deleted');
}

/** A delayed or retrying job → `queued` with `runAt` = now ("run it now"); its `job.enqueued` wakes workers. */
export async function jobPromote(ctx: Ctx, p: { id: string }): Promise<Job> {
  const t = ctx.clock.now();
  const job = await withTx(ctx.pool, async (db) => {
    const [r] = await run(db, ctx.admin.promoteOne, [p.id, new Date(t)]);
    if (!r) return null;
    const queued = readJob(r);
    await emit(ctx, db, [jobEvent(queued, 'job.enqueued', t)]);
    return queued;
  });
  if (job) return job;
  const found = await jobGet(ctx, p);
  if (!found) throw new NotFoundError('job', p.id);
  assertPromotable(p.id, found.state);
  // It was promotable when read again: another change won between the two statements.
  throw new InvalidTransitionError(p.id, found.state, 'queued', 'it changed meanwhile; try again');
}

/** Runs a maintenance statement that changes jobs, and emits `type` for each changed one. */
async function changeJobs(
  ctx: Ctx,
  st: Statement,
  limit: number,
  type: 'job.enqueued' | 'job.expired',
): Promise<number> {
  const t = ctx.clock.now();
  return withTx(ctx.pool, async (db) => {
    const rows = await run<EventJobFields>(db, st, [new Date(t), limit]);
    if (rows.length > 0)
      await emit(
        ctx,
        db,
        rows.map((r) => jobEvent(r, type, t)),
      );
    return rows.length;
  });
}

/** Due scheduled/retrying jobs → queued, each with its `job.enqueued` (which wakes workers). */
export function jobsPromote(ctx: Ctx, p: { limit: number }): Promise<number> {
  return changeJobs(ctx, ctx.admin.promote, p.limit, 'job.enqueued');
}

/** Waiting jobs past their deadline → expired. */
export function jobsExpire(ctx: Ctx, p: { limit: number }): Promise<number> {
  return changeJobs(ctx, ctx.admin.expire, p.limit, 'job.expired');
}

/** Running jobs whose lease ended before now. */
export async function jobsLeaseExpiredList(ctx: Ctx, p: { limit: number }): Promise<Job[]> {
  const rows = await run(ctx.pool, ctx.admin.leaseExpired, [now(ctx), p.limit]);
  return rows.map((r) => readJob(r));
}

/** Retention: by age per final state, by count per queue and state, and old events. */
export async function jobsPrune(ctx: Ctx, p: PruneParams): Promise<number> {
  const entries = Object.entries(p.finishedBefore).filter((e): e is [string, Date] => e[1] instanceof Date);
  let deleted = 0;
  const count = (st: Statement, values: unknown[]): Promise<number> => runCount(ctx.pool, st, values);
  if (entries.length > 0) {
    deleted += await count(ctx.admin.pruneAge, [entries.map((e) => e[0]), entries.map((e) => e[1])]);
  }
  if (p.maxPerQueueState !== undefined) deleted += await count(ctx.admin.pruneCount, [p.maxPerQueueState]);
  if (p.eventsBefore) await count(ctx.admin.pruneEvents, [p.eventsBefore.getTime()]);
  return deleted;
}
