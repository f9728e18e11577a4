/** Operator reads: finished jobs per queue and minute, and each queue's oldest due job. */
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from '../../backend/jobs-stats.js';
import { FINISHED_BUCKET_MS } from '../../core/constants.js';
import { nowArg, run, type Ctx } from './context.js';

/** Completed and failed jobs per queue and minute since `since`, from the finished sets. */
export async function jobsCountFinished(ctx: Ctx, p: CountFinishedParams): Promise<FinishedMinute[]> {
  if (p.queues.length === 0) return [];
  const rows = await run<[string, string, number, number][]>(ctx, 'jobs-count-finished', [
    String(p.since.getTime()),
    FINISHED_BUCKET_MS,
    ...p.queues,
  ]);
  return rows.map(([queue, minute, completed, failed]) => ({
    queue,
    minute: new Date(Number(minute)),
    completed,
    failed,
  }));
}

/** Each queue's oldest due `runAt`: the first entry of each priority band, and a due delayed job. */
export async function jobsFindOldestDue(ctx: Ctx, p: FindOldestDueParams): Promise<Record<string, Date | null>> {
  const out: Record<string, Date | null> = {};
  if (p.queues.length === 0) return out;
  const found = await run<(string | null)[]>(ctx, 'jobs-oldest-due', [nowArg(ctx), ...p.queues]);
  p.queues.forEach((q, i) => (out[q] = found[i] ? new Date(Number(found[i])) : null));
  return out;
}
