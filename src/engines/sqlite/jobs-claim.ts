/**
 * The worker's path: claim, renew, complete, fail, progress. Each is one immediate
 * transaction; every change after the claim is fenced on (state, worker, attempt).
 */
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import type { Job, JobProgress } from '../../core/job.js';
import { claimOrder, errorText, readClaimed, rowEvent, type JobEventRow } from './rows.js';
import type { Store } from './store.js';

interface ClaimQueueRow {
  name: string;
  paused: number;
  concurrency: number | null;
}

/**
 * Claims up to `limit` due jobs (plus `prefetch` from uncapped queues), queue by queue in the
 * order given. Capped queues give at most `limit` jobs between them and never exceed their cap.
 */
export function jobsClaim(s: Store, p: ClaimParams): Job[] {
  const total = Math.max(0, p.limit) + Math.max(0, Math.floor(p.prefetch ?? 0));
  if (total <= 0 || p.queues.length === 0) return [];
  return s.write((out) => {
    const now = s.now();
    const settings = new Map<string, ClaimQueueRow>();
    // One queue (the common case) by key: a quarter of the cost of the JSON list.
    const rows = (
      p.queues.length === 1 ? s.st.queueGet.all(p.queues[0]) : s.st.queuesIn.all(JSON.stringify(p.queues))
    ) as ClaimQueueRow[];
    for (const q of rows) settings.set(q.name, q);
    const claim = p.types?.length ? s.st.claimTypes : s.st.claim;
    const types = p.types?.length ? JSON.stringify(p.types) : undefined;
    const jobs: Job[] = [];
    let cappedTaken = 0;
    for (const queue of p.queues) {
      const q = settings.get(queue);
      if (q?.paused === 1) continue;
      let take = total - jobs.length;
      if (take <= 0) break;
      const cap = q?.concurrency ?? null;
      if (cap !== null) {
        take = Math.min(take, p.limit - cappedTaken, cap - (s.st.runningCount.pluck().get(queue) as number));
      }
      if (take <= 0) continue;
      s.st.promoteQueue.run({ now, queue });
      const params: Record<string, unknown> = { worker: p.workerId, lease: now + p.leaseMs, now, queue, limit: take };
      if (types !== undefined) params.types = types;
      const by = { queue, workerId: p.workerId, leaseUntil: now + p.leaseMs, startedAt: now };
      const batch = (claim.all(params) as string[]).map((text) => readClaimed(text, by)).sort(claimOrder);
      if (cap !== null) cappedTaken += batch.length;
      for (const j of batch) {
        jobs.push(j);
        out.push(jobEvent(j, 'job.started', now));
      }
    }
    return jobs;
  });
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export function jobsLeaseRenew(s: Store, p: { workerId: string; ids: string[]; leaseMs: number }): { lost: string[] } {
  if (p.ids.length === 0) return { lost: [] };
  return s.write(() => {
    const lease = s.now() + p.leaseMs;
    const lost = p.ids.filter((id) => s.st.renew.run({ id, worker: p.workerId, lease }).changes === 0);
    return { lost };
  });
}

/**
 * True when every item has the first one's worker and attempt, and no result (`null`, as the
 * worker reports a handler that returned nothing, or `undefined`: both read back as `null`).
 */
function sharedItems(items: CompleteItem[]): boolean {
  const { workerId, attempt } = items[0]!;
  return items.every(
    (i) => i.workerId === workerId && i.attempt === attempt && (i.result === null || i.result === undefined),
  );
}

/**
 * Fenced batch completion in one transaction; returns the ids not applied. Items with `delete`
 * are deleted one by one, their events carrying the results; the rest are kept as `completed`
 * in one statement.
 */
export function jobsComplete(s: Store, all: CompleteItem[]): { lost: string[] } {
  if (all.length === 0) return { lost: [] };
  const gone = all.some((i) => i.delete);
  const items = gone ? all.filter((i) => !i.delete) : all;
  return s.write((out) => {
    const lost = gone ? deleteCompleted(s, all, out) : [];
    if (items.length === 0) return { lost };
    const now = s.now();
    const shared = sharedItems(items);
    const rows = (
      shared
        ? s.st.completeShared.all({
            now,
            ids: JSON.stringify(items.map((i) => i.id)),
            worker: items[0]!.workerId,
            attempt: items[0]!.attempt,
          })
        : // The items as they are: an undefined result drops out of the JSON and is stored as NULL.
          s.st.complete.all({ now, items: JSON.stringify(items) })
    ) as string[];
    // A shared batch has one worker and attempt; otherwise each row's come from its item.
    const byId = shared ? null : new Map(items.map((i) => [i.id, i]));
    const itemOf = (id: string): CompleteItem => (byId ? byId.get(id)! : items[0]!);
    const done: string[] = [];
    for (const row of rows) {
      const [id, type, queue] = row.split(' ') as [string, string, string];
      const { attempt, workerId } = itemOf(id);
      done.push(id);
      out.push(jobEvent({ id, type, queue, state: 'completed', attempts: attempt, workerId }, 'job.completed', now));
    }
    if (done.length === items.length) return { lost };
    const applied = new Set(done);
    return { lost: [...lost, ...items.filter((i) => !applied.has(i.id)).map((i) => i.id)] };
  });
}

/** Deletes the completed jobs of the items with `delete`; returns the ids not applied. */
function deleteCompleted(s: Store, items: CompleteItem[], out: GantryEvent[]): string[] {
  const now = s.now();
  const lost: string[] = [];
  for (const i of items) {
    if (!i.delete) continue;
    const row = s.st.completeDelete.get({ id: i.id, worker: i.workerId, attempt: i.attempt }) as string | undefined;
    if (row === undefined) {
      lost.push(i.id);
      continue;
    }
    const [id, type, queue] = row.split(' ') as [string, string, string];
    const e = jobEvent(
      { id, type, queue, state: 'completed', attempts: i.attempt, workerId: i.workerId },
      'job.completed',
      now,
    );
    // A result the handler did not give is stored as NULL and read back as null.
    if (i.result !== null && i.result !== undefined) e.result = i.result;
    out.push(e);
  }
  return lost;
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export function jobsFail(s: Store, items: FailItem[]): { lost: string[] } {
  if (items.length === 0) return { lost: [] };
  return s.write((out) => {
    const now = s.now();
    const lost: string[] = [];
    for (const i of items) {
      const row = s.st.fail.get({
        id: i.id,
        worker: i.workerId,
        attempt: i.attempt,
        now,
        retry_at: i.retryAt ? i.retryAt.getTime() : null,
        error: errorText(i.error),
      }) as JobEventRow | undefined;
      if (!row) lost.push(i.id);
      else
        out.push(
          rowEvent(row, row.state === 'failed' ? 'job.failed' : 'job.retrying', now, { error: i.error.message }),
        );
    }
    return { lost };
  });
}

/** Fenced hand-back of never-started claims: `running` → `queued`, the attempt undone. */
export function jobsRelease(s: Store, items: ReleaseItem[]): { lost: string[] } {
  if (items.length === 0) return { lost: [] };
  return s.write((out) => {
    const now = s.now();
    const lost: string[] = [];
    for (const i of items) {
      const row = s.st.release.get({ id: i.id, worker: i.workerId, attempt: i.attempt }) as JobEventRow | undefined;
      if (row) out.push(rowEvent(row, 'job.enqueued', now));
      else lost.push(i.id);
    }
    return { lost };
  });
}

/** Records progress while `workerId` holds the job. */
export function jobProgress(s: Store, p: { id: string; workerId: string; progress: JobProgress }): boolean {
  return s.write((out) => {
    const row = s.st.progress.get({ id: p.id, worker: p.workerId, progress: JSON.stringify(p.progress) }) as
      JobEventRow | undefined;
    if (row) out.push(rowEvent(row, 'job.progress', s.now(), { progress: p.progress }));
    return row !== undefined;
  });
}
