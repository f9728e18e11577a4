/**
 * The worker's path: claim, renew, complete, fail, progress. Each is one immediate
 * transaction; every change after the claim is fenced on (state, worker, attempt).
 */
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import {
  EVENT_FOR_STATE,
  completedResult,
  jobEvent,
  type EventJobFields,
  type GantryEvent,
} from '../../core/events.js';
import { compareClaimOrder, type Job, type JobProgress } from '../../core/job.js';
import { claimRoom } from '../../core/queue-rules.js';
import { errorText, readClaimed } from './job-columns.js';
import type { Store } from './store.js';

interface ClaimQueueRow {
  name: string;
  paused: number;
  concurrency: number | null;
}

/**
 * Claims up to `limit` due jobs (plus `prefetch` from uncapped queues), queue by queue in the
 * order given, as much from each as the core's `claimRoom` allows. Due delayed jobs of a queue
 * are promoted first, with their events.
 */
export function jobsClaim(s: Store, p: ClaimParams): Job[] {
  const prefetch = Math.max(0, Math.floor(p.prefetch ?? 0));
  if (Math.max(0, p.limit) + prefetch <= 0 || p.queues.length === 0) return [];
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
    const given: Partial<Job> = { state: 'running', workerId: p.workerId };
    const jobs: Job[] = [];
    let takenCapped = 0;
    for (const queue of p.queues) {
      const q = settings.get(queue);
      if (q?.paused === 1) continue;
      const concurrency = q?.concurrency ?? null;
      const running = concurrency === null ? 0 : (s.st.runningCount.pluck().get(queue) as number);
      const take = claimRoom({ limit: p.limit, prefetch, taken: jobs.length, takenCapped, concurrency, running });
      if (take <= 0) continue;
      const promoted = s.st.promoteQueue.all({ now, queue }) as EventJobFields[];
      const params: Record<string, unknown> = { worker: p.workerId, lease: now + p.leaseMs, now, queue, limit: take };
      if (types !== undefined) params.types = types;
      const batch = (claim.all(params) as string[]).map((text) => {
        // Each job its own Dates: a handler may change them.
        given.leaseUntil = new Date(now + p.leaseMs);
        given.startedAt = new Date(now);
        return readClaimed(JSON.parse(text) as unknown[], given);
      });
      batch.sort(compareClaimOrder);
      if (concurrency !== null) takenCapped += batch.length;
      for (const j of batch) {
        jobs.push(j);
        out.push(jobEvent(j, 'job.started', now));
      }
      if (promoted.length > 0) promotedLeft(promoted, batch, now, out);
    }
    return jobs;
  });
}

/**
 * The `job.enqueued` events of the due jobs a claim promoted but did not take: they wait as
 * `queued` now. Those it took go straight on to `job.started`, as on every engine.
 */
function promotedLeft(promoted: EventJobFields[], taken: Job[], now: number, out: GantryEvent[]): void {
  const took = new Set(taken.map((j) => j.id));
  for (const r of promoted) if (!took.has(r.id)) out.push(jobEvent(r, 'job.enqueued', now));
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
export function jobsComplete(s: Store, p: { items: CompleteItem[] }): { lost: string[] } {
  const all = p.items;
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
      const { attempt, workerId, result } = itemOf(id);
      done.push(id);
      const event = { id, type, queue, state: 'completed' as const, attempts: attempt, workerId };
      out.push(jobEvent(event, 'job.completed', now, shared ? undefined : completedResult(result)));
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

/**
 * Applies a fenced change to each item in one transaction (`change` answers the changed row's
 * event fields, or nothing when the fence did not hold) and emits each changed row's event;
 * answers the ids not applied.
 */
function fencedEach<I extends { id: string }>(
  s: Store,
  items: I[],
  change: (item: I, now: number) => unknown,
  event: (row: EventJobFields, item: I, now: number) => GantryEvent,
): { lost: string[] } {
  if (items.length === 0) return { lost: [] };
  return s.write((out) => {
    const now = s.now();
    const lost: string[] = [];
    for (const i of items) {
      const row = change(i, now) as EventJobFields | undefined;
      if (row) out.push(event(row, i, now));
      else lost.push(i.id);
    }
    return { lost };
  });
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export function jobsFail(s: Store, p: { items: FailItem[] }): { lost: string[] } {
  return fencedEach(
    s,
    p.items,
    (i, now) =>
      s.st.fail.get({
        id: i.id,
        worker: i.workerId,
        attempt: i.attempt,
        now,
        retry_at: i.retryAt ? i.retryAt.getTime() : null,
        error: errorText(i.error),
      }),
    (row, i, now) => jobEvent(row, EVENT_FOR_STATE[row.state]!, now, { error: i.error.message }),
  );
}

/** Fenced hand-back of never-started claims: `running` → `queued`, the attempt undone. */
export function jobsRelease(s: Store, p: { items: ReleaseItem[] }): { lost: string[] } {
  return fencedEach(
    s,
    p.items,
    (i) => s.st.release.get({ id: i.id, worker: i.workerId, attempt: i.attempt }),
    (row, _i, now) => jobEvent(row, 'job.enqueued', now),
  );
}

/** Records progress while `workerId` holds the job. */
export function jobProgress(s: Store, p: { id: string; workerId: string; progress: JobProgress }): boolean {
  return s.write((out) => {
    const row = s.st.progress.get({ id: p.id, worker: p.workerId, progress: JSON.stringify(p.progress) }) as
      EventJobFields | undefined;
    if (row) out.push(jobEvent(row, 'job.progress', s.now(), { progress: p.progress }));
    return row !== undefined;
  });
}
