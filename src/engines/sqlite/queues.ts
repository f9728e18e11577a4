/** Queue settings (pause, concurrency cap, size cap) with their counts. */
import type { QueueInfo, QueueSettings } from '../../backend/backend.js';
import type { GantryEvent } from '../../core/events.js';
import { jobsCount, zeroCounts } from './jobs-query.js';
import type { Store } from './store.js';

interface QueueRow {
  name: string;
  paused: number;
  concurrency: number | null;
  size_cap: number | null;
  size_policy: 'reject' | 'drop-oldest';
}

function toInfo(r: QueueRow, counts: QueueInfo['counts']): QueueInfo {
  return {
    name: r.name,
    paused: r.paused === 1,
    concurrency: r.concurrency,
    sizeCap: r.size_cap,
    sizePolicy: r.size_policy,
    counts,
  };
}

/** Every queue that has jobs or settings, by name. */
export function queuesList(s: Store): QueueInfo[] {
  const counts = jobsCount(s);
  return (s.st.queuesAll.all() as QueueRow[]).map((r) => toInfo(r, counts[r.name] ?? zeroCounts()));
}

/** Changes a queue's settings, creating it; emits `queue.paused` / `queue.resumed` on change. */
export function queueUpdate(s: Store, queue: string, settings: QueueSettings): QueueInfo {
  const row = s.write((out) => {
    s.st.queueEnsure.run(queue);
    const cur = s.st.queueGet.get(queue) as QueueRow;
    const next: QueueRow = {
      name: queue,
      paused: settings.paused === undefined ? cur.paused : settings.paused ? 1 : 0,
      concurrency: settings.concurrency === undefined ? cur.concurrency : settings.concurrency,
      size_cap: settings.sizeCap === undefined ? cur.size_cap : settings.sizeCap,
      size_policy: settings.sizePolicy ?? cur.size_policy,
    };
    s.st.queueUpsert.run(next);
    if (next.paused !== cur.paused) {
      const e: GantryEvent = { type: next.paused ? 'queue.paused' : 'queue.resumed', at: s.now(), queue };
      out.push(e);
    }
    return next;
  });
  return toInfo(row, jobsCount(s, [queue])[queue] ?? zeroCounts());
}
