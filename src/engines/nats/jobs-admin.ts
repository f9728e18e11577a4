/**
 * Operator and maintenance changes: cancel, retry, delete, promote, expire, lease recovery's
 * list, prune. Which transition is allowed is the core's; each change here is a
 * compare-and-set of the record, read again when another writer came first.
 */
import type { PruneParams } from '../../backend/backend.js';
import { NATS_ORPHAN_SCAN_MS, NATS_POINTER_GRACE_MS } from '../../core/constants.js';
import { NotFoundError } from '../../core/errors.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import {
  EXPIRABLE_STATES,
  FINAL_STATES,
  assertDeletable,
  assertTransition,
  canTransition,
  type Job,
} from '../../core/job.js';
import { assertPromotable } from '../../core/promote.js';
import { allJobs, casDeleteJob, publishEvents, readJob, type Ctx, type Versioned } from './context.js';
import { eventsPrune } from './events.js';
import { afterWrite, writeJob } from './moves.js';
import { promoteDue } from './promote.js';
import { activeClear, activeEntries } from './running.js';
import { uniqueRelease, uniqueReserve } from './unique.js';

async function mustRead(ctx: Ctx, id: string): Promise<Versioned> {
  const v = await readJob(ctx, id);
  if (!v) throw new NotFoundError('job', id);
  return v;
}

/**
 * Applies `change` to job `id` with a compare-and-set, reading again when another writer came
 * first; `change` may throw (a refused transition). Answers the written job.
 */
async function change(ctx: Ctx, id: string, make: (job: Job) => Job): Promise<{ before: Versioned; job: Job }> {
  for (;;) {
    const v = await mustRead(ctx, id);
    const next = make(v.job);
    if (await writeJob(ctx, v, next)) return { before: v, job: next };
  }
}

/** A job's final move to `state` at `now` (cancel, expire). */
const finish = (job: Job, state: 'cancelled' | 'expired', now: number): Job => ({
  ...job,
  state,
  finishedAt: new Date(now),
  leaseUntil: null,
});

/** Cancels a live job, with its event; false when it is gone or not live any more. */
export async function cancelJob(ctx: Ctx, id: string, now: number): Promise<boolean> {
  try {
    const { job } = await change(ctx, id, (j) => {
      assertTransition(id, j.state, 'cancelled');
      return finish(j, 'cancelled', now);
    });
    publishEvents(ctx, [jobEvent(job, 'job.cancelled', now)]);
    return true;
  } catch {
    return false;
  }
}

/** Live job → `cancelled`; a running job's lease ends with it. */
export async function jobCancel(ctx: Ctx, p: { id: string }): Promise<Job> {
  const now = ctx.now();
  const { job } = await change(ctx, p.id, (j) => {
    assertTransition(p.id, j.state, 'cancelled');
    return finish(j, 'cancelled', now);
  });
  publishEvents(ctx, [jobEvent(job, 'job.cancelled', now)]);
  return job;
}

/** Final job → `queued` with a fresh attempt budget; its errors are kept. */
export async function jobRetry(ctx: Ctx, p: { id: string }): Promise<Job> {
  const now = ctx.now();
  const first = await mustRead(ctx, p.id);
  assertTransition(p.id, first.job.state, 'queued');
  const reservation = first.job.uniqueKey === null ? null : await uniqueReserve(ctx, first.job.uniqueKey, p.id, now);
  try {
    const { job } = await change(ctx, p.id, (j) => {
      assertTransition(p.id, j.state, 'queued');
      return {
        ...j,
        state: 'queued',
        attempts: 0,
        runAt: new Date(now),
        startedAt: null,
        finishedAt: null,
        workerId: null,
        leaseUntil: null,
        result: null,
        progress: null,
        retries: [...j.retries, { at: new Date(now), from: j.state, attempts: j.attempts }],
      };
    });
    publishEvents(ctx, [jobEvent(job, 'job.enqueued', now)]);
    return job;
  } catch (err) {
    if (reservation) await uniqueRelease(ctx, [reservation]);
    throw err;
  }
}

/** Deletes a final job (any job with `force`). */
export async function jobDelete(ctx: Ctx, p: { id: string; force?: boolean }): Promise<void> {
  for (;;) {
    const v = await mustRead(ctx, p.id);
    assertDeletable(p.id, v.job.state, p.force ?? false);
    if (!(await casDeleteJob(ctx, v))) continue;
    await afterWrite(ctx, v, null);
    publishEvents(ctx, [jobEvent(v.job, 'job.deleted', ctx.now())]);
    return;
  }
}

/** A delayed or retrying job → `queued` with `runAt` = now; its `job.enqueued` wakes workers. */
export async function jobPromote(ctx: Ctx, p: { id: string }): Promise<Job> {
  const now = ctx.now();
  const { job } = await change(ctx, p.id, (j) => {
    assertPromotable(p.id, j.state);
    return { ...j, state: 'queued', runAt: new Date(now) };
  });
  publishEvents(ctx, [jobEvent(job, 'job.enqueued', now)]);
  return job;
}

/** Due scheduled/retrying jobs → queued, each with its `job.enqueued`. */
export async function jobsPromote(ctx: Ctx, p: { limit: number }): Promise<number> {
  const events = await promoteDue(ctx, null, ctx.now(), p.limit);
  publishEvents(ctx, events);
  return events.length;
}

/** Waiting jobs past their deadline → expired. */
export async function jobsExpire(ctx: Ctx, p: { limit: number }): Promise<number> {
  const now = ctx.now();
  const due = (await allJobs(ctx))
    .filter((v) => EXPIRABLE_STATES.includes(v.job.state) && v.job.deadline !== null && v.job.deadline.getTime() < now)
    .sort((a, b) => a.job.deadline!.getTime() - b.job.deadline!.getTime())
    .slice(0, p.limit);
  const events: GantryEvent[] = [];
  for (const v of due) {
    const after = await writeJob(ctx, v, finish(v.job, 'expired', now));
    if (after) events.push(jobEvent(after.job, 'job.expired', now));
  }
  publishEvents(ctx, events);
  return events.length;
}

/**
 * Running jobs whose lease ended before now, from the `active` entries (one per claim); an entry
 * none of whose jobs runs for its worker is cleared once it is older than a claim can take
 * (`NATS_POINTER_GRACE_MS`): a claimer that died left it.
 */
export async function jobsLeaseExpiredList(ctx: Ctx, p: { limit: number }): Promise<Job[]> {
  const now = ctx.now();
  const out = new Map<string, Job>();
  for (const entry of await activeEntries(ctx)) {
    if (out.size >= p.limit) break;
    let live = false;
    const records = await Promise.all(entry.ids.map((id) => readJob(ctx, id)));
    for (const v of records) {
      const job = v?.job;
      if (job?.state !== 'running' || (entry.worker !== null && job.workerId !== entry.worker)) continue;
      live = true;
      if (job.leaseUntil !== null && job.leaseUntil.getTime() < now && out.size < p.limit) out.set(job.id, job);
    }
    // A young entry may belong to a claim still under way (its records not yet written).
    const young = entry.at !== null && now - entry.at < NATS_POINTER_GRACE_MS;
    if (!live && !young) await activeClear(ctx, entry.rev);
  }
  // The first list starts the minute: a process just started (a worker draining a deep queue)
  // does not read every record at once.
  ctx.orphanScanAt ??= now;
  if (out.size < p.limit && now - ctx.orphanScanAt >= NATS_ORPHAN_SCAN_MS) {
    ctx.orphanScanAt = now;
    for (const job of await orphansExpired(ctx, now)) if (out.size < p.limit) out.set(job.id, job);
  }
  return [...out.values()];
}

/**
 * Every running job past its lease, read from all records: what lease recovery finds this way
 * and not through the `active` entries had its entry lost while it still ran.
 */
async function orphansExpired(ctx: Ctx, now: number): Promise<Job[]> {
  return (await allJobs(ctx))
    .map((v) => v.job)
    .filter((j) => j.state === 'running' && j.leaseUntil !== null && j.leaseUntil.getTime() < now);
}

/** Retention: finished jobs by age and by count per queue and state, old events. */
export async function jobsPrune(ctx: Ctx, p: PruneParams): Promise<number> {
  if (p.eventsBefore) await eventsPrune(ctx, p.eventsBefore);
  const finished = (await allJobs(ctx)).filter((v) => FINAL_STATES.includes(v.job.state) && v.job.finishedAt);
  const gone: Versioned[] = [];
  const groups = new Map<string, Versioned[]>();
  for (const v of finished) {
    const before = p.finishedBefore[v.job.state];
    if (before && v.job.finishedAt!.getTime() < before.getTime()) gone.push(v);
    else {
      const k = `${v.job.queue} ${v.job.state}`;
      groups.set(k, [...(groups.get(k) ?? []), v]);
    }
  }
  if (p.maxPerQueueState !== undefined) {
    for (const g of groups.values()) {
      g.sort((a, b) => b.job.finishedAt!.getTime() - a.job.finishedAt!.getTime());
      gone.push(...g.slice(p.maxPerQueueState));
    }
  }
  const deleted = await Promise.all(gone.map((v) => canTransition(v.job.state, 'queued') && casDeleteJob(ctx, v)));
  return deleted.filter(Boolean).length;
}
