/**
 * The worker's path: claim, renew, complete, fail, release, progress. A claim reads pointers
 * from the work stream, priority by priority, and sets each job's record running with a
 * compare-and-set before acknowledging its pointer; every later write is fenced on the record's
 * state, worker and attempt (docs/nats.md).
 */
import type { Msg } from '@nats-io/transport-node';
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import { EVENT_FOR_STATE, completedResult, jobEvent, type GantryEvent } from '../../core/events.js';
import { completedJob, type Job, type JobProgress } from '../../core/job.js';
import { claimRoom, type QueueSettingsRecord } from '../../core/queue-rules.js';
import { casDeleteJob, casJob, inBackground, publishEvents, readJob, type Ctx, type Versioned } from './context.js';
import { ack, handOver, judgeHint, nak, prioritiesWaiting, pull, workConsumer, type Hint } from './dispatch.js';
import { afterWrite, publishResult, writeJob } from './moves.js';
import { promoteQueue } from './promote.js';
import { queueSettings } from './queues.js';
import { knownPriorities, noDelaysDue, prioritiesRead, priorityEmpty, waitingGen, waitingListen } from './waiting.js';
import { activeHold, activePut, activeSettle, slotFree, slotTake, slotsHeld } from './running.js';

/** How long a pointer whose record is not yet written waits before it is offered again, ms. */
const PENDING_RETRY_MS = 50;

/** What claiming one pointer came to. */
type Take = { job: Job } | 'drop' | 'skip' | 'pending' | 'other' | 'full';

/** A pulled pointer with its record, ready to claim. */
interface Ready {
  m: Msg;
  v: Versioned;
}

/** True when `job` may be claimed from `queue` at `now`. */
function claimable(job: Job, queue: string, now: number): boolean {
  if (job.queue !== queue) return false;
  if (job.deadline !== null && job.deadline.getTime() < now) return false;
  if (job.state === 'queued') return true;
  return (job.state === 'scheduled' || job.state === 'retrying') && job.runAt.getTime() <= now;
}

/** Reads the record one pointer (`hint`) names: ready to claim, or why not (the pointer acked or naked). */
async function judgeOne(
  ctx: Ctx,
  m: Msg,
  hint: Hint,
  p: ClaimParams,
  queue: string,
  now: number,
): Promise<Ready | Take> {
  const v = await readJob(ctx, hint.id);
  const verdict = judgeHint(ctx, hint, v);
  if (verdict === 'pending') return (nak(ctx, m, PENDING_RETRY_MS), 'pending');
  if (verdict === 'stale' || !v || !claimable(v.job, queue, now)) return (ack(ctx, m), 'drop');
  if (p.types?.length && !p.types.includes(v.job.type)) return (nak(ctx, m), 'other');
  return { m, v };
}

const isReady = (r: Ready | Take): r is Ready => typeof r === 'object' && 'm' in r;

/** Sets one ready record running (compare-and-set), then acks its pointer; a lost race naks it. */
async function claimReady(
  ctx: Ctx,
  r: Ready,
  p: ClaimParams,
  now: number,
  slot: { n: number; rev: number } | null,
  activeRev: number,
): Promise<Take> {
  const next: Job = {
    ...r.v.job,
    state: 'running',
    attempts: r.v.job.attempts + 1,
    workerId: p.workerId,
    leaseUntil: new Date(now + p.leaseMs),
    startedAt: new Date(now),
  };
  const after = await casJob(ctx, r.v, next, {
    _slot: slot?.n ?? null,
    _slotRev: slot?.rev ?? null,
    _activeRev: activeRev,
  });
  if (!after) {
    if (slot !== null) await slotFree(ctx, next.queue, slot.n, slot.rev);
    return (nak(ctx, r.m), 'skip');
  }
  ack(ctx, r.m);
  remember(ctx, after);
  return { job: next };
}

/**
 * Claims what a batch of pointers of an uncapped queue names: the records are read while one
 * `active` entry names them all, then every ready one is set running at once.
 */
async function claimBatch(ctx: Ctx, p: ClaimParams, queue: string, msgs: Msg[], now: number): Promise<Take[]> {
  const hints = msgs.map((m) => m.json<Hint>());
  const ids = hints.map((h) => h.id);
  const [put, judged] = await Promise.all([
    activePut(ctx, queue, p.workerId, ids).then(
      (rev) => ({ rev }),
      (err: unknown) => ({ err }),
    ),
    Promise.all(msgs.map((m, i) => judgeOne(ctx, m, hints[i]!, p, queue, now))),
  ]);
  // Without its entry no record may be set running: the pointers go back at once.
  if ('err' in put) {
    for (const j of judged) if (isReady(j)) nak(ctx, j.m);
    throw put.err;
  }
  const { rev } = put;
  const takes = await Promise.all(judged.map((j) => (isReady(j) ? claimReady(ctx, j, p, now, null, rev) : j)));
  activeHold(
    ctx,
    rev,
    takes.flatMap((t) => (typeof t === 'object' ? [t.job.id] : [])),
  );
  return takes;
}

/** Claims one ready record of a capped queue: a free slot first, or `full`. */
async function claimCapped(ctx: Ctx, p: ClaimParams, queue: string, r: Ready, cap: number, now: number): Promise<Take> {
  const attempt = r.v.job.attempts + 1;
  const slot = await slotTake(ctx, queue, cap, r.v.job.id, attempt);
  if (slot === null) return (nak(ctx, r.m), 'full');
  const rev = await activePut(ctx, queue, p.workerId, [r.v.job.id]);
  const t = await claimReady(ctx, r, p, now, slot, rev);
  activeHold(ctx, rev, typeof t === 'object' ? [t.job.id] : []);
  return t;
}

/** Claims what one pulled batch of pointers names; a capped queue takes its slots one by one. */
async function takeBatch(
  ctx: Ctx,
  p: ClaimParams,
  queue: string,
  msgs: Msg[],
  cap: number | null,
  now: number,
): Promise<Take[]> {
  if (cap === null) return claimBatch(ctx, p, queue, msgs, now);
  const takes: Take[] = [];
  for (const m of msgs) {
    if (takes.includes('full')) {
      takes.push((nak(ctx, m), 'skip'));
      continue;
    }
    const j = await judgeOne(ctx, m, m.json<Hint>(), p, queue, now);
    takes.push(isReady(j) ? await claimCapped(ctx, p, queue, j, cap, now) : j);
  }
  return takes;
}

/** Takes up to `want` jobs from `queue`, highest priority first. */
async function takeFromQueue(
  ctx: Ctx,
  p: ClaimParams,
  queue: string,
  want: number,
  cap: number | null,
  now: number,
  priorities: number[],
): Promise<Job[]> {
  const out: Job[] = [];
  let handedOver = false;
  let pending = false;
  for (const priority of priorities) {
    const consumer = await workConsumer(ctx, queue, priority);
    let full = false;
    while (out.length < want && !full) {
      const asked = want - out.length;
      const gen = waitingGen(ctx, queue);
      const msgs = await pull(ctx, ctx.n.workStream, consumer, asked);
      if (msgs.length === 0) {
        priorityEmpty(ctx, queue, gen, priority);
        break;
      }
      const takes = await takeBatch(ctx, p, queue, msgs, cap, now);
      for (const t of takes) {
        if (typeof t === 'object') out.push(t.job);
        else if (t === 'full') full = true;
      }
      // Only skipped pointers (other types, records not yet written): the rest of this priority can wait.
      if (takes.includes('other')) handedOver = true;
      if (takes.includes('pending')) pending = true;
      if (takes.every((t) => typeof t === 'string' && t !== 'drop')) break;
      // A pull that does not wait answers every pointer there was: fewer than asked, none are
      // left (unless some went back).
      if (msgs.length < asked) {
        if (takes.every((t) => typeof t === 'object' || t === 'drop')) priorityEmpty(ctx, queue, gen, priority);
        break;
      }
    }
    if (full || out.length >= want) break;
  }
  // Jobs of types this worker does not handle went back: wake the queue's other workers.
  if (handedOver) handOver(ctx, queue);
  // A pointer whose record was still being written comes back after its delay: look again then
  // (its record's event may have come already, while this claim ran).
  if (pending) setTimeout(() => ctx.wakeLocal?.(queue), PENDING_RETRY_MS).unref();
  return out;
}

/** Most delayed jobs one claim promotes. */
const PROMOTE_PER_CLAIM = 10_000;

/** The priorities holding pointers, read from the work stream, and kept (see waiting.ts). */
async function readPriorities(ctx: Ctx, queue: string): Promise<number[]> {
  const gen = waitingGen(ctx, queue);
  const priorities = await prioritiesWaiting(ctx, queue);
  prioritiesRead(ctx, queue, gen, priorities);
  return priorities;
}

/** One queue's part of a claim: room, due delayed jobs promoted, then pointers taken. */
async function claimQueue(
  ctx: Ctx,
  p: ClaimParams,
  queue: string,
  settings: QueueSettingsRecord,
  room: { taken: number; takenCapped: number; prefetch: number },
  promoted: GantryEvent[],
): Promise<Job[]> {
  const now = ctx.now();
  const cap = settings.concurrency;
  const running = cap === null ? 0 : await slotsHeld(ctx, queue);
  const take = claimRoom({ limit: p.limit, ...room, concurrency: cap, running });
  if (take <= 0) return [];
  // What this process knows of where the queue's jobs wait spares asking the server (see
  // waiting.ts); otherwise both reads at once. A promoted job's pointer is heard before its
  // promotion returns, so the priorities are read again only when they were not known.
  await waitingListen(ctx);
  const [due, waiting] = await Promise.all([
    noDelaysDue(ctx, queue, now) ? [] : promoteQueue(ctx, queue, now, PROMOTE_PER_CLAIM),
    knownPriorities(ctx, queue) ?? readPriorities(ctx, queue),
  ]);
  promoted.push(...due);
  const priorities = due.length > 0 ? (knownPriorities(ctx, queue) ?? (await readPriorities(ctx, queue))) : waiting;
  return takeFromQueue(ctx, p, queue, take, cap, now, priorities);
}

/**
 * Claims up to `limit` due jobs (plus `prefetch` from uncapped queues), queue by queue in the
 * order given, as much from each as the core's `claimRoom` allows.
 */
export async function jobsClaim(ctx: Ctx, p: ClaimParams): Promise<Job[]> {
  const prefetch = Math.max(0, Math.floor(p.prefetch ?? 0));
  if (Math.max(0, p.limit) + prefetch <= 0 || p.queues.length === 0) return [];
  const jobs: Job[] = [];
  const promoted: GantryEvent[] = [];
  let takenCapped = 0;
  for (const queue of p.queues) {
    const settings = await queueSettings(ctx, queue);
    if (settings.paused) continue;
    const batch = await claimQueue(ctx, p, queue, settings, { taken: jobs.length, takenCapped, prefetch }, promoted);
    if (settings.concurrency !== null) takenCapped += batch.length;
    jobs.push(...batch);
  }
  const now = ctx.now();
  const took = new Set(jobs.map((j) => j.id));
  const events = promoted.filter((e) => !took.has(e.jobId!));
  for (const j of jobs) events.push(jobEvent(j, 'job.started', now));
  publishEvents(ctx, events);
  return jobs;
}

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
function remember(ctx: Ctx, v: Versioned): void {
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
