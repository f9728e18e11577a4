/**
 * The hot path: claim up to N jobs in one statement (`FOR UPDATE SKIP LOCKED`), and fenced,
 * batched renew / complete / fail / progress. A fenced write applies only while the job is
 * running under the same worker and attempt. Each write stores and NOTIFYs its events in the
 * same statement: one round trip.
 */
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import type { Job, JobProgress } from '../../core/job.js';
import { run, withTx, type Queryable } from './connection.js';
import type { Ctx } from './context.js';
import { errorJson, errorsOf, json, type JobRow } from './rows.js';

/** A claimed row: the job's columns but those the claim set itself (see `CLAIMED_COLS`). */
type ClaimRow = Omit<JobRow, 'state' | 'worker_id' | 'lease_until' | 'started_at' | 'finished_at' | 'result'> & {
  rn: string | null;
  capped: boolean;
};

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

/** The job of a claimed row, with the state, worker, lease and start time the claim set. */
function claimedJob(r: ClaimRow, workerId: string, startedAt: number, leaseUntil: number): Job {
  return {
    id: r.id,
    type: r.type,
    queue: r.queue,
    payload: r.payload,
    priority: r.priority,
    state: 'running',
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    backoff: r.backoff,
    timeoutMs: r.timeout_ms === null ? null : Number(r.timeout_ms),
    runAt: r.run_at,
    deadline: r.deadline,
    uniqueKey: r.unique_key,
    uniqueWindowMs: r.unique_window_ms === null ? null : Number(r.unique_window_ms),
    progress: r.progress,
    result: null,
    errors: errorsOf(r.errors),
    workerId,
    leaseUntil: new Date(leaseUntil),
    createdAt: r.created_at,
    startedAt: new Date(startedAt),
    finishedAt: null,
    tags: r.tags ?? [],
    metadata: r.metadata ?? {},
  };
}

/** Claims due jobs in queue order, skipping paused queues, within concurrency caps. */
export async function claim(ctx: Ctx, p: ClaimParams): Promise<Job[]> {
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
  return rows
    .filter((r) => r.id !== null)
    .sort((a, b) => Number(a.rn) - Number(b.rn))
    .map((r) => claimedJob(r, p.workerId, t, t + p.leaseMs));
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export async function renew(ctx: Ctx, workerId: string, ids: string[], leaseMs: number): Promise<{ lost: string[] }> {
  if (ids.length === 0) return { lost: [] };
  const held = await run<{ id: string }>(ctx.hot, ctx.jobs.renew, [ids, workerId, new Date(ctx.clock.now() + leaseMs)]);
  const kept = new Set(held.map((r) => r.id));
  return { lost: ids.filter((id) => !kept.has(id)) };
}

function lostOf(ids: string[], applied: { id: string }[]): string[] {
  const done = new Set(applied.map((r) => r.id));
  return ids.filter((id) => !done.has(id));
}

/** Fenced batch completion. */
export async function complete(ctx: Ctx, items: CompleteItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const [row] = await run<{ done: string[] }>(ctx.hot, ctx.jobs.complete, [
    items.map((i) => i.id),
    items.map((i) => i.workerId),
    items.map((i) => i.attempt),
    items.map((i) => json(i.result)),
    new Date(t),
    t,
    ctx.channels.events,
  ]);
  const done = new Set(row?.done);
  return { lost: items.filter((i) => !done.has(i.id)).map((i) => i.id) };
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export async function fail(ctx: Ctx, items: FailItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const done = await run<{ id: string }>(ctx.hot, ctx.jobs.fail, [
    items.map((i) => i.id),
    items.map((i) => i.workerId),
    items.map((i) => i.attempt),
    items.map((i) => errorJson(i.error)),
    items.map((i) => i.retryAt),
    new Date(t),
    t,
    ctx.channels.events,
  ]);
  return {
    lost: lostOf(
      items.map((i) => i.id),
      done,
    ),
  };
}

/** Fenced hand-back of never-started claims: queued again with the attempt undone. */
export async function release(ctx: Ctx, items: ReleaseItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const done = await run<{ id: string }>(ctx.hot, ctx.jobs.release, [
    items.map((i) => i.id),
    items.map((i) => i.workerId),
    items.map((i) => i.attempt),
    t,
    ctx.channels.events,
    ctx.channels.wake,
  ]);
  return {
    lost: lostOf(
      items.map((i) => i.id),
      done,
    ),
  };
}

/** Records progress while `workerId` holds the job. */
export async function progress(ctx: Ctx, id: string, workerId: string, value: JobProgress): Promise<boolean> {
  const t = ctx.clock.now();
  const rows = await run(ctx.hot, ctx.jobs.progress, [id, workerId, json(value), t, ctx.channels.events]);
  return rows.length > 0;
}
