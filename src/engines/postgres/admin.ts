/** Reads, operator actions (cancel, retry, delete) and maintenance (promote, expire, prune). */
import type { JobFilter, PruneParams, StateCounts } from '../../backend/backend.js';
import { InvalidTransitionError, NotFoundError, UniqueConflictError } from '../../core/errors.js';
import type { Job, JobState } from '../../core/job.js';
import { isUniqueViolation, run, runCount, withTx, type Statement } from './connection.js';
import { emit, now, type Ctx } from './context.js';
import { rowEvent } from './enqueue.js';
import { listBySuffix } from './jobs-stats.js';
import { toJob, zeroCounts, type JobRow } from './rows.js';

/** One job or `null`. */
export async function getJob(ctx: Ctx, id: string): Promise<Job | null> {
  const [row] = await run<JobRow>(ctx.pool, ctx.jobs.get, [id]);
  return row ? toJob(row) : null;
}

const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const list = <T>(v: T[] | undefined): T[] | null => (v && v.length > 0 ? v : null);

/** A page of jobs, newest id first; the cursor is the last id of the page before. */
export async function listJobs(
  ctx: Ctx,
  filter: JobFilter,
  limit: number,
  cursor: string | null,
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  if (filter.idSuffix) return listBySuffix(ctx, { ...filter, idSuffix: filter.idSuffix }, limit, cursor);
  const rows = await run<JobRow>(ctx.pool, ctx.admin.list, [
    filter.states ?? null,
    filter.queues ?? null,
    filter.types ?? null,
    list(filter.tags),
    filter.ids ?? null,
    filter.text ? likePattern(filter.text) : null,
    cursor,
    limit + 1,
  ]);
  const page = rows.slice(0, limit).map(toJob);
  return { jobs: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Counts by state for every known queue, or the named ones. */
export async function countJobs(ctx: Ctx, queues?: string[]): Promise<Record<string, StateCounts>> {
  const rows = await run<{ queue: string; state: JobState; n: number }>(ctx.pool, ctx.admin.count, [queues ?? null]);
  const out: Record<string, StateCounts> = {};
  const names = queues ?? (await run<{ name: string }>(ctx.pool, ctx.admin.queueNames, [])).map((r) => r.name);
  for (const q of names) out[q] = zeroCounts();
  for (const r of rows) (out[r.queue] ??= zeroCounts())[r.state] = r.n;
  return out;
}

async function refuse(ctx: Ctx, id: string, to: string, hint?: string): Promise<never> {
  const job = await getJob(ctx, id);
  if (!job) throw new NotFoundError('job', id);
  throw new InvalidTransitionError(id, job.state, to, hint);
}

/** Live → cancelled. */
export async function cancelJob(ctx: Ctx, id: string): Promise<Job> {
  const t = ctx.clock.now();
  const row = await withTx(ctx.pool, async (db) => {
    const [r] = await run<JobRow>(db, ctx.jobs.cancel, [id, new Date(t)]);
    if (r) await emit(ctx, db, [rowEvent(r, 'job.cancelled', t)], r.queue ? [r.queue] : []);
    return r;
  });
  return row ? toJob(row) : refuse(ctx, id, 'cancelled');
}

/** Final → queued with a fresh attempt budget. */
export async function retryJob(ctx: Ctx, id: string): Promise<Job> {
  const t = ctx.clock.now();
  let row: JobRow | undefined;
  try {
    row = await withTx(ctx.pool, async (db) => {
      const [r] = await run<JobRow>(db, ctx.jobs.retry, [id, new Date(t)]);
      if (r) await emit(ctx, db, [rowEvent(r, 'job.enqueued', t)], [r.queue]);
      return r;
    });
  } catch (err) {
    if (!isUniqueViolation(err, 'jobs_unique_live')) throw err;
    const job = await getJob(ctx, id);
    const [holder] = await run<{ id: string; unique_key: string }>(ctx.pool, ctx.jobs.uniqueHolders, [
      [job?.uniqueKey ?? ''],
      [id],
      new Date(t),
    ]);
    throw new UniqueConflictError(job?.uniqueKey ?? '', holder?.id ?? 'unknown');
  }
  return row
    ? toJob(row)
    : refuse(ctx, id, 'queued', 'only completed, failed, cancelled or expired jobs can be retried');
}

/** Deletes a final job (any job with `force`). */
export async function deleteJob(ctx: Ctx, id: string, force: boolean): Promise<void> {
  const t = ctx.clock.now();
  const gone = await withTx(ctx.pool, async (db) => {
    const [r] = await run<JobRow>(db, ctx.jobs.delete, [id, force]);
    if (r) await emit(ctx, db, [rowEvent(r, 'job.deleted', t)]);
    return r !== undefined;
  });
  if (!gone) await refuse(ctx, id, 'deleted', 'only final jobs can be deleted; pass force to delete a live one');
}

/** Due scheduled/retrying jobs → queued. */
export async function promoteJobs(ctx: Ctx, limit: number): Promise<number> {
  const t = ctx.clock.now();
  return withTx(ctx.pool, async (db) => {
    const rows = await run<JobRow>(db, ctx.admin.promote, [new Date(t), limit]);
    if (rows.length > 0) {
      await emit(
        ctx,
        db,
        rows.map((r) => rowEvent(r, 'job.enqueued', t)),
        rows.map((r) => r.queue),
      );
    }
    return rows.length;
  });
}

/** Waiting jobs past their deadline → expired. */
export async function expireJobs(ctx: Ctx, limit: number): Promise<number> {
  const t = ctx.clock.now();
  return withTx(ctx.pool, async (db) => {
    const rows = await run<JobRow>(db, ctx.admin.expire, [new Date(t), limit]);
    if (rows.length > 0)
      await emit(
        ctx,
        db,
        rows.map((r) => rowEvent(r, 'job.expired', t)),
      );
    return rows.length;
  });
}

/** Running jobs whose lease ended before now. */
export async function leaseExpiredJobs(ctx: Ctx, limit: number): Promise<Job[]> {
  const rows = await run<JobRow>(ctx.pool, ctx.admin.leaseExpired, [now(ctx), limit]);
  return rows.map(toJob);
}

/** Retention: by age per final state, by count per queue and state, and old events. */
export async function pruneJobs(ctx: Ctx, p: PruneParams): Promise<number> {
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
