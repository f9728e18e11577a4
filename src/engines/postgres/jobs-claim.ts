/**
 * The hot path: claim up to N jobs in one statement (`FOR UPDATE SKIP LOCKED`), and fenced,
 * batched renew / complete / fail / progress. A fenced write applies only while the job is
 * running under the same worker and attempt. Each write stores and NOTIFYs its events in the
 * same statement: one round trip.
 */
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import { resultFitsEvent } from '../../core/events.js';
import type { Job, JobProgress } from '../../core/job.js';
import { batchColumn } from './batch-columns.js';
import { run, withTx, type Queryable } from './connection.js';
import type { Ctx } from './context.js';
import { errorJson, json, readClaimed } from './job-columns.js';

/** The claim's one row: the claimed jobs as arrays of `CLAIMED_COLUMNS` values (null for none). */
interface ClaimRow {
  capped: boolean;
  jobs: unknown[][] | null;
}

function claimOnce(ctx: Ctx, db: Queryable, p: ClaimParams, t: number, guard: boolean): Promise<ClaimRow[]> {
  return run<ClaimRow>(db, ctx.jobs.claim, [
    p.queues,
    p.types && p.types.length > 0 ? p.types : null,
    Math.max(0, p.limit),
    new Date(t),
    p.workerId,
    new Date(t + p.leaseMs),
    guard,
    t,
    ctx.channels.events,
    Math.max(0, Math.floor(p.prefetch ?? 0)),
  ]);
}

/** Claims due jobs in queue order, skipping paused queues, within concurrency caps. */
export async function jobsClaim(ctx: Ctx, p: ClaimParams): Promise<Job[]> {
  if (Math.max(0, p.limit) + Math.max(0, p.prefetch ?? 0) <= 0 || p.queues.length === 0) return [];
  const t = ctx.clock.now();
  let rows = await claimOnce(ctx, ctx.hot, p, t, true);
  if (rows[0]?.capped) {
    // A capped queue: lock its row first, so the claim (a later statement, a later snapshot)
    // counts the running jobs of every claim committed before it.
    rows = await withTx(ctx.hot, async (db) => {
      await run(db, ctx.jobs.lockConcurrency, [p.queues]);
      return claimOnce(ctx, db, p, t, false);
    });
  }
  const given: Partial<Job> = { state: 'running', workerId: p.workerId };
  return (rows[0]?.jobs ?? []).map((r) => {
    // Each job its own Dates: a handler may change them.
    given.leaseUntil = new Date(t + p.leaseMs);
    given.startedAt = new Date(t);
    return readClaimed(r, given);
  });
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export async function jobsLeaseRenew(
  ctx: Ctx,
  { workerId, ids, leaseMs }: { workerId: string; ids: string[]; leaseMs: number },
): Promise<{ lost: string[] }> {
  if (ids.length === 0) return { lost: [] };
  const held = await run<{ id: string }>(ctx.hot, ctx.jobs.renew, [ids, workerId, new Date(ctx.clock.now() + leaseMs)]);
  const kept = new Set(held.map((r) => r.id));
  return { lost: ids.filter((id) => !kept.has(id)) };
}

/** The ids of `items` the statement did not apply (`done`: the ids it did, `null` for all). */
function lostOf(items: { id: string }[], done: Iterable<string> | null): { lost: string[] } {
  if (done === null) return { lost: [] };
  const applied = new Set(done);
  return { lost: items.filter((i) => !applied.has(i.id)).map((i) => i.id) };
}

/**
 * Fenced batch completion: items with `delete` go to the statement that deletes their rows, the
 * rest are kept as `completed` (a batch mixing both makes two statements, each atomic).
 */
export async function jobsComplete(ctx: Ctx, { items }: { items: CompleteItem[] }): Promise<{ lost: string[] }> {
  const gone = items.filter((i) => i.delete);
  if (gone.length === 0) return completeKept(ctx, items);
  if (gone.length === items.length) return completeGone(ctx, items);
  const [a, b] = await Promise.all([
    completeKept(
      ctx,
      items.filter((i) => !i.delete),
    ),
    completeGone(ctx, gone),
  ]);
  return { lost: [...a.lost, ...b.lost] };
}

/** The batch columns both completions start with: ids, workers, attempts, results. */
function completeColumns(items: CompleteItem[]): unknown[] {
  return [
    items.map((i) => i.id),
    batchColumn(items, (i) => i.workerId),
    batchColumn(items, (i) => i.attempt),
    batchColumn(items, (i) => json(i.result)),
  ];
}

async function completeKept(ctx: Ctx, items: CompleteItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const columns = completeColumns(items);
  // Whether each result fits in its event, measured on the JSON text sent (the core's rule).
  const fits = (columns[3] as string[]).map(resultFitsEvent);
  const [row] = await run<{ done: string[] | null }>(ctx.hot, ctx.jobs.complete, [
    ...columns,
    new Date(t),
    t,
    ctx.channels.events,
    fits.length > 1 && fits.every(Boolean) ? [true] : fits,
  ]);
  // The statement always answers one row (an aggregate).
  return lostOf(items, row!.done);
}

async function completeGone(ctx: Ctx, items: CompleteItem[]): Promise<{ lost: string[] }> {
  const [row] = await run<{ done: string[] | null }>(ctx.hot, ctx.jobs.completeDelete, [
    ...completeColumns(items),
    ctx.clock.now(),
    ctx.channels.events,
  ]);
  return lostOf(items, row!.done);
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export async function jobsFail(ctx: Ctx, { items }: { items: FailItem[] }): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const done = await run<{ id: string }>(ctx.hot, ctx.jobs.fail, [
    items.map((i) => i.id),
    batchColumn(items, (i) => i.workerId),
    batchColumn(items, (i) => i.attempt),
    items.map((i) => errorJson(i.error)),
    items.map((i) => i.retryAt),
    new Date(t),
    t,
    ctx.channels.events,
  ]);
  return lostOf(
    items,
    done.map((r) => r.id),
  );
}

/** Fenced hand-back of never-started claims: queued again with the attempt undone. */
export async function jobsRelease(ctx: Ctx, { items }: { items: ReleaseItem[] }): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const done = await run<{ id: string }>(ctx.hot, ctx.jobs.release, [
    items.map((i) => i.id),
    batchColumn(items, (i) => i.workerId),
    batchColumn(items, (i) => i.attempt),
    t,
    ctx.channels.events,
    ctx.channels.wake,
  ]);
  return lostOf(
    items,
    done.map((r) => r.id),
  );
}

/** Records progress while `workerId` holds the job. */
export async function jobProgress(
  ctx: Ctx,
  p: { id: string; workerId: string; progress: JobProgress },
): Promise<boolean> {
  const t = ctx.clock.now();
  const rows = await run(ctx.hot, ctx.jobs.progress, [p.id, p.workerId, json(p.progress), t, ctx.channels.events]);
  return rows.length > 0;
}
