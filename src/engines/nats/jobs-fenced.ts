/**
 * A worker's writes after its claim: renew, complete, fail, release, progress. Each is fenced
 * on the record's state, worker and attempt, written by compare-and-set on the revision read (or
 * last written by this process), and read again when another writer came first (docs/nats.md).
 */
import type { CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import { EVENT_FOR_STATE, completedResult, jobEvent, type GantryEvent } from '../../core/events.js';
import { completedJob, type Job, type JobProgress } from '../../core/job.js';
import { casDeleteJob, inBackground, publishEvents, readJob, type Ctx, type Versioned } from './context.js';
import { afterWrite, publishResult, writeJob } from './moves.js';
import { activeSettle } from './running.js';

/** True while `v` is attempt `attempt` of `workerId`, running. */
const holds = (v: Versioned | null, workerId: string, attempt?: number): v is Versioned =>
  v !== null &&
  v.job.state === 'running' &&
  v.job.workerId === workerId &&
  (attempt === undefined || v.job.attempts === attempt);

/**
 * Applies a fenced change to one job, reading again when another writer came first; answers
 * the written job, or null when the fence does not hold.
 */
async function fenced(
  ctx: Ctx,
  id: string,
  workerId: string,
  attempt: number | undefined,
  change: (job: Job) => Job,
): Promise<Job | null> {
  // The version this process wrote last saves a read; if another writer came since, the
  // compare-and-set fails and the record is read.
  let v: Versioned | null = ctx.held.get(id) ?? null;
  ctx.held.delete(id);
  for (;;) {
    v ??= await readJob(ctx, id);
    if (!holds(v, workerId, attempt)) return (activeSettle(ctx, id, v), null);
    const next = change(v.job);
    const after = await writeJob(ctx, v, next);
    if (after) return (remember(ctx, after), next);
    v = null;
  }
}

/** Most versions a process remembers of the jobs it runs (a bound, not a tuning knob). */
const HELD_MAX = 50_000;

/** Remembers the version of a job this process wrote, while it is running. */
export function remember(ctx: Ctx, v: Versioned): void {
  if (v.job.state !== 'running') return void ctx.held.delete(v.job.id);
  if (ctx.held.size >= HELD_MAX) ctx.held.clear();
  ctx.held.set(v.job.id, v);
}

/**
 * Runs `each` over the items at once (each answers its change's event, or null when the fence
 * did not hold), publishes the events together; answers the ids not applied.
 */
async function eachItem<I extends { id: string }>(
  ctx: Ctx,
  items: I[],
  each: (i: I) => Promise<GantryEvent | null>,
): Promise<{ lost: string[] }> {
  const results = await Promise.all(items.map((i) => each(i)));
  publishEvents(
    ctx,
    results.filter((e): e is GantryEvent => e !== null),
  );
  return { lost: items.filter((_, k) => results[k] === null).map((i) => i.id) };
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export async function jobsLeaseRenew(
  ctx: Ctx,
  p: { workerId: string; ids: string[]; leaseMs: number },
): Promise<{ lost: string[] }> {
  const until = new Date(ctx.now() + p.leaseMs);
  const done = await Promise.all(
    p.ids.map((id) => fenced(ctx, id, p.workerId, undefined, (j) => ({ ...j, leaseUntil: until }))),
  );
  return { lost: p.ids.filter((_, k) => done[k] === null) };
}

/** Deletes a job completed with `delete`, fenced; its event carries the result. */
async function completeDelete(ctx: Ctx, i: CompleteItem): Promise<GantryEvent | null> {
  let v: Versioned | null = ctx.held.get(i.id) ?? null;
  ctx.held.delete(i.id);
  for (;;) {
    v ??= await readJob(ctx, i.id);
    if (!holds(v, i.workerId, i.attempt)) return (activeSettle(ctx, i.id, v), null);
    if (!(await casDeleteJob(ctx, v))) {
      v = null;
      continue;
    }
    const now = ctx.now();
    const e = jobEvent({ ...v.job, state: 'completed' }, 'job.completed', now);
    if (i.result !== null && i.result !== undefined) e.result = i.result;
    afterWrite(ctx, v, null);
    inBackground(ctx, publishResult(ctx, completedJob(v.job, i.result, new Date(now))));
    return e;
  }
}

/** Fenced batch completion; returns the ids not applied. */
export async function jobsComplete(ctx: Ctx, p: { items: CompleteItem[] }): Promise<{ lost: string[] }> {
  return eachItem(ctx, p.items, async (i) => {
    if (i.delete) return completeDelete(ctx, i);
    const now = ctx.now();
    const job = await fenced(ctx, i.id, i.workerId, i.attempt, (j) => ({
      ...j,
      state: 'completed',
      result: i.result ?? null,
      finishedAt: new Date(now),
      leaseUntil: null,
    }));
    return job && jobEvent(job, 'job.completed', now, completedResult(i.result));
  });
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export async function jobsFail(ctx: Ctx, p: { items: FailItem[] }): Promise<{ lost: string[] }> {
  return eachItem(ctx, p.items, async (i) => {
    const now = ctx.now();
    const job = await fenced(ctx, i.id, i.workerId, i.attempt, (j) => ({
      ...j,
      state: i.retryAt ? 'retrying' : 'failed',
      runAt: i.retryAt ?? j.runAt,
      finishedAt: i.retryAt ? null : new Date(now),
      leaseUntil: null,
      errors: [...j.errors, i.error],
    }));
    return job && jobEvent(job, EVENT_FOR_STATE[job.state]!, now, { error: i.error.message });
  });
}

/** Fenced hand-back of never-started claims: `running` → `queued`, the attempt undone. */
export async function jobsRelease(ctx: Ctx, p: { items: ReleaseItem[] }): Promise<{ lost: string[] }> {
  return eachItem(ctx, p.items, async (i) => {
    const job = await fenced(ctx, i.id, i.workerId, i.attempt, (j) => ({
      ...j,
      state: 'queued',
      attempts: j.attempts - 1,
      workerId: null,
      leaseUntil: null,
      startedAt: null,
    }));
    return job && jobEvent(job, 'job.enqueued', ctx.now());
  });
}

/** Records progress while `workerId` holds the job. */
export async function jobProgress(
  ctx: Ctx,
  p: { id: string; workerId: string; progress: JobProgress },
): Promise<boolean> {
  const job = await fenced(ctx, p.id, p.workerId, undefined, (j) => ({ ...j, progress: p.progress }));
  if (job) publishEvents(ctx, [jobEvent(job, 'job.progress', ctx.now(), { progress: p.progress })]);
  return job !== null;
}
