/** Queue settings (pause, concurrency cap, size cap) with their counts. */
import type { QueueDeleteOutcome, QueueInfo, QueueSettings } from '../../backend/backend.js';
import { queueSettingsOfRow, type QueueRow as QueueRowOf } from '../../backend/queue-row.js';
import {
  queueChangeEvents,
  queueInfoOf,
  queueSettingsApply,
  type QueueSettingsRecord,
} from '../../core/queue-rules.js';
import { jobsCount } from './jobs-query.js';
import type { Store } from './store.js';

type QueueRow = QueueRowOf<number>;

function settingsOf(r: QueueRow): QueueSettingsRecord {
  return queueSettingsOfRow(r, r.paused === 1);
}

/** Every queue that has jobs or settings, by name. */
export function queuesList(s: Store, p: { counts?: boolean } = {}): QueueInfo[] {
  const counts = p.counts === false ? {} : jobsCount(s, {});
  return (s.st.queuesAll.all() as QueueRow[]).map((r) => queueInfoOf(r.name, settingsOf(r), counts[r.name]));
}

/** Changes a queue's settings, creating it; emits what the core's `queueChangeEvents` says. */
export function queueUpdate(s: Store, p: { queue: string; settings: QueueSettings }): QueueInfo {
  const after = s.write((out) => {
    s.st.queueEnsure.run(p.queue);
    const before = settingsOf(s.st.queueGet.get(p.queue) as QueueRow);
    const next = queueSettingsApply(before, p.settings);
    s.st.queueUpsert.run({
      name: p.queue,
      paused: next.paused ? 1 : 0,
      concurrency: next.concurrency,
      size_cap: next.sizeCap,
      size_policy: next.sizePolicy,
      timeout_ms: next.timeoutMs,
      max_attempts: next.maxAttempts,
      weight: next.weight,
    });
    out.push(...queueChangeEvents(p.queue, before, next, s.now()));
    return next;
  });
  return queueInfoOf(p.queue, after, jobsCount(s, { queues: [p.queue] })[p.queue]);
}

/** Deletes a queue's settings in one write transaction, only while it holds no job. */
export function queueDelete(s: Store, p: { queue: string }): QueueDeleteOutcome {
  return s.write(() => {
    const counts = jobsCount(s, { queues: [p.queue] })[p.queue];
    const jobs = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
    if (jobs > 0) return { deleted: false, jobs };
    return { deleted: s.st.queueDelete.run(p.queue).changes > 0, jobs: 0 };
  });
}
