/**
 * The claim: pointers read from the work stream, priority by priority, each job's record set
 * running with a compare-and-set before its pointer is acknowledged (docs/nats.md). The writes
 * that follow are in `jobs-fenced.ts`.
 */
import type { Msg } from '@nats-io/transport-node';
import type { ClaimParams } from '../../backend/backend.js';
import { jobEvent, type GantryEvent } from '../../core/events.js';
import type { Job } from '../../core/job.js';
import { claimRoom, type QueueSettingsRecord } from '../../core/queue-rules.js';
import { casJob, publishEvents, readJob, type Ctx, type Versioned } from './context.js';
import { ack, handOver, judgeHint, nak, prioritiesWaiting, pull, workConsumer, type Hint } from './dispatch.js';
import { remember } from './jobs-fenced.js';
import { promoteQueue } from './promote.js';
import { queueSettings } from './queues.js';
import { activeHold, activePut, slotFree, slotTake, slotsHeld } from './running.js';
import {
  claimDry,
  knownPriorities,
  noDelaysDue,
  pointersBack,
  prioritiesRead,
  priorityEmpty,
  waitingGen,
  waitingListen,
  wokenTake,
} from './waiting.js';

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
  early?: Promise<Versioned | null>,
): Promise<Ready | Take> {
  // An early read that failed, or came before the record was stored (a hint is sent with its
  // write), is made again now that the pointer is here.
  const v = (early && (await early.catch(() => null))) || (await readJob(ctx, hint.id));
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
async function claimBatch(
  ctx: Ctx,
  p: ClaimParams,
  queue: string,
  msgs: Msg[],
  now: number,
  early: Early | null,
): Promise<Take[]> {
  const hints = msgs.map((m) => m.json<Hint>());
  const ids = hints.map((h) => h.id);
  // The entry written early names every pulled job, or a new one is written (and the early one goes).
  const reuse = early !== null && ids.every((id) => early.reads.has(id));
  if (early && !reuse) dropEarly(ctx, early);
  const [put, judged] = await Promise.all([
    (reuse ? early.entry : activePut(ctx, queue, p.workerId, ids)).then(
      (rev) => ({ rev }),
      (err: unknown) => ({ err }),
    ),
    Promise.all(msgs.map((m, i) => judgeOne(ctx, m, hints[i]!, p, queue, now, early?.reads.get(hints[i]!.id)))),
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
  early: Early | null,
): Promise<Take[]> {
  if (cap === null) return claimBatch(ctx, p, queue, msgs, now, early);
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

/** Reads started before a pull, for the jobs a wake-up named, and the `active` entry naming them. */
interface Early {
  reads: Map<string, Promise<Versioned | null>>;
  entry: Promise<number>;
}

const noop = (): void => undefined;

/**
 * When the queue was empty at the last claim and wake-ups named jobs since, those jobs are what
 * the pull will bring: their records are read, and the claim's `active` entry written, while
 * the pull is out (one round trip fewer between an enqueue and its start).
 */
function startEarly(ctx: Ctx, p: ClaimParams, queue: string, want: number): Early | null {
  const ids = wokenTake(ctx, queue, want);
  if (ids.length === 0) return null;
  const reads = new Map(ids.map((id) => [id, readJob(ctx, id)] as const));
  // A failed read is read again when its pointer comes (or not at all, when none does).
  for (const r of reads.values()) r.catch(noop);
  const entry = activePut(ctx, queue, p.workerId, ids);
  entry.catch(noop);
  return { reads, entry };
}

/** Removes the `active` entry of early reads no pull used. */
function dropEarly(ctx: Ctx, early: Early): void {
  void early.entry.then((rev) => activeHold(ctx, rev, []), noop);
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
  let early = cap === null ? startEarly(ctx, p, queue, want) : null;
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
      const takes = await takeBatch(ctx, p, queue, msgs, cap, now, early);
      early = null;
      if (takes.some((t) => typeof t === 'string' && t !== 'drop')) pointersBack(ctx, queue, priority);
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
  if (early) dropEarly(ctx, early);
  claimDry(ctx, queue, out.length === 0);
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
