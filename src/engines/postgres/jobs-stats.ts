/**
 * Throughput and latency reads (`jobsCountFinished`, `jobsFindOldestDue`), answered from the
 * indexes the job path keeps anyway (`jobs_finished`, `jobs_claim`).
 */
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from '../../backend/jobs-stats.js';
import { run } from './connection.js';
import type { Ctx } from './context.js';

/** Completed and failed jobs per queue and minute since `since`. */
export async function jobsCountFinished(ctx: Ctx, p: CountFinishedParams): Promise<FinishedMinute[]> {
  const rows = await run<{ queue: string; state: string; minute: string; n: number }>(
    ctx.pool,
    ctx.admin.finishedPerMinute,
    [[...new Set(p.queues)], p.since],
  );
  const by = new Map<string, FinishedMinute>();
  for (const r of rows) {
    const key = `${r.queue}\0${r.minute}`;
    let m = by.get(key);
    if (!m) by.set(key, (m = { queue: r.queue, minute: new Date(Number(r.minute)), completed: 0, failed: 0 }));
    if (r.state === 'completed') m.completed += r.n;
    else m.failed += r.n;
  }
  return [...by.values()].sort(
    (a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0) || a.minute.getTime() - b.minute.getTime(),
  );
}

/** The `runAt` of each queue's oldest due waiting job, or `null`. */
export async function jobsFindOldestDue(ctx: Ctx, p: FindOldestDueParams): Promise<Record<string, Date | null>> {
  const rows = await run<{ queue: string; run_at: Date | null }>(ctx.pool, ctx.admin.oldestWaiting, [p.queues]);
  const now = ctx.clock.now();
  const out: Record<string, Date | null> = {};
  // The earliest waiting job is due when its time has come; if it has not, none of the queue is.
  for (const r of rows) out[r.queue] = r.run_at && r.run_at.getTime() <= now ? r.run_at : null;
  return out;
}
