/**
 * Enqueue: all or none in one transaction (the caller's own with `tx`), idempotent on id,
 * unique keys (live and window), queue size caps.
 */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { QueueFullError, UniqueConflictError, ValidationError } from '../../core/errors.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import { storedJob, type Job, type NewJob } from '../../core/job.js';
import { isUniqueViolation, run, withTx, type Queryable } from './connection.js';
import { now, type Ctx } from './context.js';
import { insertParams } from './insert-columns.js';
import { toJob, type JobRow } from './rows.js';

type EventRow = Pick<JobRow, 'id' | 'type' | 'queue' | 'state' | 'attempts' | 'worker_id'>;

/** The event of a changed row. */
export function rowEvent(r: EventRow, type: GantryEvent['type'], at: number, error?: string): GantryEvent {
  return jobEvent({ ...r, workerId: r.worker_id }, type, at, error === undefined ? {} : { error });
}

/** The unique keys given twice in one batch, or held by another job, fail the batch. */
async function checkUnique(ctx: Ctx, db: Queryable, jobs: NewJob[]): Promise<void> {
  const keyed = jobs.filter((j) => j.uniqueKey !== null);
  if (keyed.length === 0) return;
  const seen = new Map<string, string>();
  for (const j of keyed) {
    const first = seen.get(j.uniqueKey!);
    if (first !== undefined && first !== j.id) throw new UniqueConflictError(j.uniqueKey!, first);
    seen.set(j.uniqueKey!, j.id);
  }
  const rows = await run<{ id: string; unique_key: string }>(db, ctx.jobs.uniqueHolders, [
    [...seen.keys()],
    jobs.map((j) => j.id),
    now(ctx),
  ]);
  if (rows[0]) throw new UniqueConflictError(rows[0].unique_key, rows[0].id);
}

/** Applies the size caps of the batch's queues: reject, or cancel the oldest waiting jobs. */
async function applyCaps(ctx: Ctx, db: Queryable, jobs: NewJob[]): Promise<void> {
  const byQueue = new Map<string, number>();
  for (const j of jobs) byQueue.set(j.queue, (byQueue.get(j.queue) ?? 0) + 1);
  const capped = await run<{ name: string; size_cap: number; size_policy: string }>(db, ctx.jobs.lockCapped, [
    [...byQueue.keys()],
  ]);
  for (const q of capped) {
    const [{ n } = { n: 0 }] = await run<{ n: number }>(db, ctx.jobs.waitingCount, [q.name]);
    const excess = n + byQueue.get(q.name)! - q.size_cap;
    if (excess <= 0) continue;
    if (q.size_policy !== 'drop-oldest') throw new QueueFullError(q.name, q.size_cap);
    const t = ctx.clock.now();
    await run(db, ctx.jobs.dropOldest, [q.name, Math.min(excess, n), new Date(t), t, ctx.channels.events]);
  }
}

/** What the insert did: the ids it inserted (`null`: all), and whether a size cap stopped it. */
type Inserted = { ids: string[] | null; capped: boolean };

/** The insert statement; with `guard` it inserts nothing (`capped`) when a queue has a size cap. */
async function insertRows(ctx: Ctx, db: Queryable, jobs: NewJob[], guard: boolean): Promise<Inserted> {
  const t = ctx.clock.now();
  try {
    // Ids made here cannot be stored yet: those rows skip the conflict check.
    const statement = jobs.every((j) => j.freshId === true) ? ctx.jobs.insertFresh : ctx.jobs.insert;
    const [row] = await run<Inserted>(db, statement, [
      ...insertParams(jobs),
      guard,
      t,
      ctx.channels.events,
      ctx.channels.wake,
    ]);
    return row!;
  } catch (err) {
    // Another transaction took a live unique key between our check and our insert.
    if (isUniqueViolation(err, 'jobs_unique_live')) return raceConflict(ctx, jobs);
    throw err;
  }
}

/** Pairs each requested job with the job it created, or the job that existed with its id. */
async function outcomes(ctx: Ctx, db: Queryable, jobs: NewJob[], inserted: Inserted): Promise<EnqueueOutcome[]> {
  if (inserted.ids === null) return jobs.map((j) => ({ job: storedJob(j), created: true }));
  const created = new Set(inserted.ids);
  const missing = jobs.filter((j) => !created.has(j.id)).map((j) => j.id);
  const existing = missing.length ? await run<JobRow>(db, ctx.jobs.getMany, [missing]) : [];
  const old = new Map<string, Job>(existing.map((r) => [r.id, toJob(r)]));
  return jobs.map((j) => {
    if (created.delete(j.id)) {
      // A repeated id in one batch: the first is created, the rest find it.
      const job = storedJob(j);
      old.set(j.id, job);
      return { job, created: true };
    }
    return { job: old.get(j.id)!, created: false };
  });
}

/**
 * One statement when no unique key and no size cap is involved; else a transaction that
 * locks the capped queues, checks the keys, then inserts.
 */
async function insertAll(ctx: Ctx, jobs: NewJob[], tx?: Queryable): Promise<EnqueueOutcome[]> {
  const db = tx ?? ctx.pool;
  if (!jobs.some((j) => j.uniqueKey !== null)) {
    const inserted = await insertRows(ctx, db, jobs, true);
    if (!inserted.capped) return outcomes(ctx, db, jobs, inserted);
  }
  return withTx(
    ctx.pool,
    async (conn) => {
      await applyCaps(ctx, conn, jobs);
      await checkUnique(ctx, conn, jobs);
      return outcomes(ctx, conn, jobs, await insertRows(ctx, conn, jobs, false));
    },
    tx,
  );
}

/** Names the job that won the race for a unique key (read outside the failed transaction). */
async function raceConflict(ctx: Ctx, jobs: NewJob[]): Promise<never> {
  const keys = jobs.flatMap((j) => (j.uniqueKey === null ? [] : [j.uniqueKey]));
  try {
    const rows = await run<{ id: string; unique_key: string }>(ctx.pool, ctx.jobs.uniqueHolders, [
      keys,
      jobs.map((j) => j.id),
      now(ctx),
    ]);
    if (rows[0]) throw new UniqueConflictError(rows[0].unique_key, rows[0].id);
  } catch (err) {
    if (err instanceof UniqueConflictError) throw err;
  }
  throw new UniqueConflictError(keys[0] ?? '', 'unknown');
}

/** Stores new jobs atomically (see `Backend.jobsEnqueue`). */
export async function enqueue(ctx: Ctx, jobs: NewJob[], tx?: unknown): Promise<EnqueueOutcome[]> {
  if (jobs.length === 0) return [];
  if (tx !== undefined && (tx === null || typeof (tx as Queryable).query !== 'function')) {
    throw new ValidationError('tx must be your pg Client or PoolClient, inside your open transaction');
  }
  return insertAll(ctx, jobs, tx as Queryable | undefined);
}
