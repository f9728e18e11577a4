/**
 * The hot path: claim up to N jobs in one statement (`FOR UPDATE SKIP LOCKED`), and fenced,
 * batched renew / complete / fail / progress. A fenced write applies only while the job is
 * running under the same worker and attempt.
 */
import type { CompleteItem, FailItem } from '../../backend/backend.js';
import type { Job, JobProgress } from '../../core/job.js';
import { run, withTx } from './connection.js';
import { emit, type Ctx } from './context.js';
import { rowEvent } from './enqueue.js';
import { errorJson, json, toJob, type JobRow } from './rows.js';

/** Parameters of `jobsClaim`. */
export interface ClaimParams {
  workerId: string;
  queues: string[];
  types?: string[];
  limit: number;
  leaseMs: number;
}

type EventRow = Pick<JobRow, 'id' | 'type' | 'queue' | 'state' | 'attempts' | 'worker_id'>;

/** Claims due jobs in queue order, skipping paused queues, within concurrency caps. */
export async function claim(ctx: Ctx, p: ClaimParams): Promise<Job[]> {
  if (p.limit <= 0 || p.queues.length === 0) return [];
  const t = ctx.clock.now();
  const rows = await withTx(ctx.pool, async (db) => {
    // A capped queue's row is locked first, so this claim counts the running jobs that
    // every earlier claim committed (the claim statement takes its snapshot after the lock).
    await run(db, ctx.jobs.lockConcurrency, [p.queues]);
    const claimed = await run<JobRow & { rn: string }>(db, ctx.jobs.claim, [
      p.queues,
      p.types && p.types.length > 0 ? p.types : null,
      p.limit,
      new Date(t),
      p.workerId,
      new Date(t + p.leaseMs),
    ]);
    if (claimed.length > 0)
      await emit(
        ctx,
        db,
        claimed.map((r) => rowEvent(r, 'job.started', t)),
      );
    return claimed;
  });
  return rows.sort((a, b) => Number(a.rn) - Number(b.rn)).map(toJob);
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export async function renew(ctx: Ctx, workerId: string, ids: string[], leaseMs: number): Promise<{ lost: string[] }> {
  if (ids.length === 0) return { lost: [] };
  const held = await run<{ id: string }>(ctx.pool, ctx.jobs.renew, [
    ids,
    workerId,
    new Date(ctx.clock.now() + leaseMs),
  ]);
  const kept = new Set(held.map((r) => r.id));
  return { lost: ids.filter((id) => !kept.has(id)) };
}

function lostOf(ids: string[], applied: EventRow[]): string[] {
  const done = new Set(applied.map((r) => r.id));
  return ids.filter((id) => !done.has(id));
}

/** Fenced batch completion. */
export async function complete(ctx: Ctx, items: CompleteItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const rows = await withTx(ctx.pool, async (db) => {
    const done = await run<EventRow>(db, ctx.jobs.complete, [
      items.map((i) => i.id),
      items.map((i) => i.workerId),
      items.map((i) => i.attempt),
      items.map((i) => json(i.result)),
      new Date(t),
    ]);
    if (done.length > 0)
      await emit(
        ctx,
        db,
        done.map((r) => rowEvent(r, 'job.completed', t)),
      );
    return done;
  });
  return {
    lost: lostOf(
      items.map((i) => i.id),
      rows,
    ),
  };
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export async function fail(ctx: Ctx, items: FailItem[]): Promise<{ lost: string[] }> {
  if (items.length === 0) return { lost: [] };
  const t = ctx.clock.now();
  const rows = await withTx(ctx.pool, async (db) => {
    const done = await run<EventRow & { message: string }>(db, ctx.jobs.fail, [
      items.map((i) => i.id),
      items.map((i) => i.workerId),
      items.map((i) => i.attempt),
      items.map((i) => errorJson(i.error)),
      items.map((i) => i.retryAt),
      new Date(t),
    ]);
    const events = done.map((r) => rowEvent(r, r.state === 'retrying' ? 'job.retrying' : 'job.failed', t, r.message));
    if (events.length > 0) await emit(ctx, db, events);
    return done;
  });
  return {
    lost: lostOf(
      items.map((i) => i.id),
      rows,
    ),
  };
}

/** Records progress while `workerId` holds the job. */
export async function progress(ctx: Ctx, id: string, workerId: string, value: JobProgress): Promise<boolean> {
  const t = ctx.clock.now();
  return withTx(ctx.pool, async (db) => {
    const [row] = await run<EventRow>(db, ctx.jobs.progress, [id, workerId, json(value)]);
    if (!row) return false;
    const e = rowEvent(row, 'job.progress', t);
    await emit(ctx, db, [{ ...e, progress: value }]);
    return true;
  });
}
