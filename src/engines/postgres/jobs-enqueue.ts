/**
 * Enqueue: all or none in one transaction (the caller's own with `tx`), idempotent on id,
 * unique keys (live and window), queue size caps as the core's `sizeCapOverflow` decides.
 */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { UniqueConflictError, ValidationError } from '../../core/errors.js';
import { storedJob, type Job, type NewJob } from '../../core/job.js';
import { sizeCapOverflow, withQueueDefaults, type SizePolicy } from '../../core/queue-rules.js';
import { isUniqueViolation, run, withTx, type Queryable } from './connection.js';
import { now, type Ctx } from './context.js';
import { batchColumn } from './batch-columns.js';
import { insertParams, readJob } from './job-columns.js';

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

interface SizeCapRow {
  name: string;
  size_cap: number;
  size_policy: SizePolicy;
}

/**
 * Applies the size caps of the queues the batch added jobs to, after its insert: the core's
 * `sizeCapOverflow` refuses the batch (the transaction rolls back) or says how many of the
 * oldest waiting jobs to cancel, the new ones counted as the newest. Returns the cancelled ids.
 */
async function applySizeCaps(
  ctx: Ctx,
  db: Queryable,
  capped: SizeCapRow[],
  added: Map<string, number>,
): Promise<Set<string>> {
  const dropped = new Set<string>();
  for (const q of capped) {
    const adding = added.get(q.name) ?? 0;
    if (adding === 0) continue;
    const [{ n } = { n: 0 }] = await run<{ n: number }>(db, ctx.jobs.waitingCount, [q.name]);
    const excess = sizeCapOverflow({
      queue: q.name,
      sizeCap: q.size_cap,
      sizePolicy: q.size_policy,
      waiting: n - adding,
      adding,
    });
    if (excess === 0) continue;
    const t = ctx.clock.now();
    const rows = await run<{ id: string }>(db, ctx.jobs.dropOldest, [
      q.name,
      excess,
      new Date(t),
      t,
      ctx.channels.events,
    ]);
    for (const r of rows) dropped.add(r.id);
  }
  return dropped;
}

/**
 * What the insert did: the ids it inserted (`null`: all), whether a size cap stopped it, and
 * the defaults of the batch's queues that have any (`[name, timeoutMs, maxAttempts]`).
 */
type Inserted = {
  ids: string[] | null;
  capped: boolean;
  defaults: [string, number | string | null, number | null][] | null;
};

/** The jobs as the insert stored them: with their queues' defaults (the core's `withQueueDefaults`). */
function asStored(jobs: NewJob[], inserted: Inserted): NewJob[] {
  if (inserted.defaults === null) return jobs;
  const defaults = new Map(
    inserted.defaults.map(([name, timeoutMs, maxAttempts]) => [
      name,
      { timeoutMs: timeoutMs === null ? null : Number(timeoutMs), maxAttempts },
    ]),
  );
  return withQueueDefaults(jobs, defaults);
}

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
      batchColumn(jobs, (j) => j.defaulted?.includes('maxAttempts') === true),
    ]);
    return row!;
  } catch (err) {
    // Another transaction took a live unique key between our check and our insert.
    if (isUniqueViolation(err, 'jobs_unique_live')) return raceConflict(ctx, jobs);
    throw err;
  }
}

/** The jobs of `jobs` that the insert created (each id once, the first of a repeated one). */
function createdJobs(jobs: NewJob[], inserted: Inserted): NewJob[] {
  if (inserted.ids === null) return jobs;
  const ids = new Set(inserted.ids);
  return jobs.filter((j) => ids.delete(j.id));
}

/**
 * Pairs each requested job with the job it created, or the job that existed with its id; a
 * created job that the size cap cancelled at once is read back.
 */
async function outcomes(
  ctx: Ctx,
  db: Queryable,
  jobs: NewJob[],
  created: NewJob[],
  dropped: Set<string>,
): Promise<EnqueueOutcome[]> {
  const fresh = new Set(created);
  if (fresh.size === jobs.length && dropped.size === 0) return jobs.map((j) => ({ job: storedJob(j), created: true }));
  const read = jobs.filter((j) => !fresh.has(j) || dropped.has(j.id)).map((j) => j.id);
  const existing = read.length ? await run<Record<string, unknown>>(db, ctx.jobs.getMany, [read]) : [];
  const stored = new Map<string, Job>(existing.map((r) => [r.id as string, readJob(r)]));
  return jobs.map((j) => {
    if (!fresh.has(j)) return { job: stored.get(j.id)!, created: false };
    return { job: dropped.has(j.id) ? stored.get(j.id)! : storedJob(j), created: true };
  });
}

/**
 * One statement when no unique key and no size cap is involved; else a transaction that
 * locks the capped queues, checks the keys, inserts, then applies the caps.
 */
async function insertAll(ctx: Ctx, jobs: NewJob[], tx?: Queryable): Promise<EnqueueOutcome[]> {
  const db = tx ?? ctx.pool;
  if (!jobs.some((j) => j.uniqueKey !== null)) {
    const inserted = await insertRows(ctx, db, jobs, true);
    if (!inserted.capped) {
      const stored = asStored(jobs, inserted);
      return outcomes(ctx, db, stored, createdJobs(stored, inserted), new Set());
    }
  }
  return withTx(
    ctx.pool,
    async (conn) => {
      const queues = [...new Set(jobs.map((j) => j.queue))];
      const capped = await run<SizeCapRow>(conn, ctx.jobs.lockCapped, [queues]);
      await checkUnique(ctx, conn, jobs);
      const inserted = await insertRows(ctx, conn, jobs, false);
      const stored = asStored(jobs, inserted);
      const created = createdJobs(stored, inserted);
      const added = new Map<string, number>();
      for (const j of created) added.set(j.queue, (added.get(j.queue) ?? 0) + 1);
      const dropped = await applySizeCaps(ctx, conn, capped, added);
      return outcomes(ctx, conn, stored, created, dropped);
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
export async function jobsEnqueue(ctx: Ctx, p: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]> {
  if (p.jobs.length === 0) return [];
  const tx = p.tx;
  if (tx !== undefined && (tx === null || typeof (tx as Queryable).query !== 'function')) {
    throw new ValidationError('tx must be your pg Client or PoolClient, inside your open transaction');
  }
  return insertAll(ctx, p.jobs, tx as Queryable | undefined);
}
