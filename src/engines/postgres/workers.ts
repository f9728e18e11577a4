/** The worker registry and leader leases. */
import type { WorkerInfo } from '../../backend/backend.js';
import type { GantryEvent } from '../../core/events.js';
import { run, withTx } from './connection.js';
import { emit, now, type Ctx } from './context.js';
import { json } from './job-columns.js';
import { toWorker, type WorkerRow } from './rows.js';

const workerEvent = (type: GantryEvent['type'], id: string, at: number): GantryEvent => ({ type, at, workerId: id });

/** Registers or refreshes a worker; `worker.joined` the first time. */
export async function workerHeartbeat(ctx: Ctx, { worker: w }: { worker: WorkerInfo }): Promise<void> {
  const t = ctx.clock.now();
  await withTx(ctx.pool, async (db) => {
    const [r] = await run<{ inserted: boolean }>(db, ctx.admin.workerUpsert, [
      w.id,
      w.host,
      w.pid,
      json(w.queues),
      w.concurrency,
      w.running,
      w.kind ?? null,
      w.startedAt,
      w.lastSeenAt ?? new Date(t),
    ]);
    if (r?.inserted) await emit(ctx, db, [workerEvent('worker.joined', w.id, t)]);
  });
}

/** Removes a worker; `worker.left` when it was registered. */
export async function workerRemove(ctx: Ctx, { id }: { id: string }): Promise<void> {
  const t = ctx.clock.now();
  await withTx(ctx.pool, async (db) => {
    const rows = await run<{ id: string }>(db, ctx.admin.workerRemove, [id]);
    if (rows.length > 0) await emit(ctx, db, [workerEvent('worker.left', id, t)]);
  });
}

/** Every registered worker. */
export async function workersList(ctx: Ctx): Promise<WorkerInfo[]> {
  return (await run<WorkerRow>(ctx.pool, ctx.admin.workersList, [])).map(toWorker);
}

/** Removes workers last seen before `before`. */
export async function workersPrune(ctx: Ctx, { before }: { before: Date }): Promise<string[]> {
  const t = ctx.clock.now();
  return withTx(ctx.pool, async (db) => {
    const rows = await run<{ id: string }>(db, ctx.admin.workersPrune, [before]);
    await emit(
      ctx,
      db,
      rows.map((r) => workerEvent('worker.left', r.id, t)),
    );
    return rows.map((r) => r.id);
  });
}

/** Takes or renews a lease; true when `holder` holds it afterwards. */
export async function leaderElect(ctx: Ctx, p: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
  const t = ctx.clock.now();
  const rows = await run(ctx.pool, ctx.admin.leaderElect, [p.name, p.holder, new Date(t + p.ttlMs), now(ctx)]);
  return rows.length > 0;
}

/** Gives the lease up if `holder` holds it. */
export async function leaderResign(ctx: Ctx, p: { name: string; holder: string }): Promise<void> {
  await run(ctx.pool, ctx.admin.leaderResign, [p.name, p.holder]);
}
