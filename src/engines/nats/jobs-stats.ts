/**
 * Throughput and latency reads (`jobsCountFinished`, `jobsFindOldestDue`), answered from the job
 * records (a scan of the `jobs` bucket; see docs/nats.md), never kept by the claim or
 * completion path.
 */
import {
  FINISHED_BUCKET_MS,
  type CountFinishedParams,
  type FindOldestDueParams,
  type FinishedMinute,
} from '../../backend/jobs-stats.js';
import { allBriefs, type Ctx } from './context.js';

/** Completed and failed jobs per queue and minute since `since`. */
export async function jobsCountFinished(ctx: Ctx, p: CountFinishedParams): Promise<FinishedMinute[]> {
  const queues = new Set(p.queues);
  const since = p.since.getTime();
  const by = new Map<string, FinishedMinute>();
  for (const job of await allBriefs(ctx)) {
    if (!queues.has(job.queue) || (job.state !== 'completed' && job.state !== 'failed') || job.finishedAt === null)
      continue;
    const t = job.finishedAt;
    if (t < since) continue;
    const minute = Math.floor(t / FINISHED_BUCKET_MS) * FINISHED_BUCKET_MS;
    const k = `${job.queue} ${minute}`;
    let m = by.get(k);
    if (!m) by.set(k, (m = { queue: job.queue, minute: new Date(minute), completed: 0, failed: 0 }));
    if (job.state === 'completed') m.completed++;
    else m.failed++;
  }
  const order = [...queues];
  return [...by.values()].sort(
    (a, b) => order.indexOf(a.queue) - order.indexOf(b.queue) || a.minute.getTime() - b.minute.getTime(),
  );
}

/** The `runAt` of each queue's oldest due waiting job, or `null`. */
export async function jobsFindOldestDue(ctx: Ctx, p: FindOldestDueParams): Promise<Record<string, Date | null>> {
  const now = ctx.now();
  const out: Record<string, Date | null> = {};
  for (const q of p.queues) out[q] = null;
  for (const job of await allBriefs(ctx)) {
    if (!(job.queue in out)) continue;
    const t = job.runAt;
    const due = job.state === 'queued' || ((job.state === 'scheduled' || job.state === 'retrying') && t <= now);
    if (due && (out[job.queue] === null || t < out[job.queue]!.getTime())) out[job.queue] = new Date(t);
  }
  return out;
}
