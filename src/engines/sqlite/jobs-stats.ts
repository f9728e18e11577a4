/**
 * Throughput and latency reads (`jobsCountFinished`, `jobsFindOldestDue`), answered from the
 * indexes the claim and completion path keeps anyway (`jobs_finished`, `jobs_claim`, `jobs_due`).
 */
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from '../../backend/jobs-stats.js';
import type { Store } from './store.js';

/** Completed and failed jobs per queue and minute since `since`. */
export function jobsCountFinished(s: Store, p: CountFinishedParams): FinishedMinute[] {
  const out: FinishedMinute[] = [];
  for (const queue of new Set(p.queues)) {
    const byMinute = new Map<number, FinishedMinute>();
    const rows = s.st.finishedPerMinute.all({ queue, since: p.since.getTime() }) as {
      minute: number;
      state: string;
      n: number;
    }[];
    for (const r of rows) {
      let m = byMinute.get(r.minute);
      if (!m) byMinute.set(r.minute, (m = { queue, minute: new Date(r.minute), completed: 0, failed: 0 }));
      if (r.state === 'completed') m.completed += r.n;
      else m.failed += r.n;
    }
    out.push(...[...byMinute.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime()));
  }
  return out;
}

/** The `runAt` of each queue's oldest due waiting job, or `null`. */
export function jobsFindOldestDue(s: Store, p: FindOldestDueParams): Record<string, Date | null> {
  const now = s.now();
  const out: Record<string, Date | null> = {};
  for (const queue of p.queues) {
    const queued = s.st.oldestQueued.get({ queue }) as number | null;
    const delayed = s.st.oldestDelayed.get({ queue }) as number | undefined;
    const due = [queued, delayed !== undefined && delayed <= now ? delayed : null].filter(
      (t): t is number => t !== null && t !== undefined,
    );
    out[queue] = due.length > 0 ? new Date(Math.min(...due)) : null;
  }
  return out;
}
