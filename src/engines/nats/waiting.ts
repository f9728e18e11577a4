/**
 * Where jobs wait, as this process knows it: per queue, the priorities that may hold pointers
 * and the first second a delay entry may be due. Learnt from one `STREAM.INFO` and then kept up
 * to date by a core subscription to the pointer and delay subjects (a core subscriber receives
 * every message a stream stores), so a claim on a wake-up goes straight to its pull instead of
 * asking the server where work waits each time (docs/nats.md).
 *
 * Each queue's knowledge carries generations, raised by every pointer or delay entry heard: what
 * a read or a pull found is kept as it is only when nothing of that kind came while it was out,
 * so a pointer published meanwhile is never forgotten. Anything unknown, or read more than a
 * second ago, is read again.
 */
import type { Subscription } from '@nats-io/transport-node';
import type { Ctx } from './context.js';

/** One queue's knowledge. */
interface QueueWaiting {
  /** Priorities that may hold pointers (empty: none); null when not known. */
  priorities: Set<number> | null;
  /** When the priorities were last read from the stream (monotonic ms). */
  prioritiesAt: number;
  /** Every priority heard for the queue (few): added to a read that a pointer overtook. */
  heard: Set<number>;
  /** Raised by every pointer heard for the queue. */
  workGen: number;
  /** The first second (engine clock) a delay entry may be due; null when not known. */
  delaysFrom: number | null;
  /** When the delays were last read from the stream (monotonic ms). */
  delaysAt: number;
  /** Raised by every delay entry heard for the queue. */
  delayGen: number;
  /** Jobs a wake-up named since the last claim (a few at most). */
  woken: string[];
  /** The last claim of the queue found nothing. */
  dry: boolean;
  /** When a claim last handed pointers back (monotonic ms). */
  backAt: number;
}

/** Generations of one queue, taken before a read whose answer is to be kept. */
export interface WaitingGen {
  work: number;
  delay: number;
}

/** What one backend knows of where jobs wait. */
export interface WaitingBoard {
  queues: Map<string, QueueWaiting>;
  subs: Subscription[];
  /** Resolves once the server has the subscription (nothing is known before). */
  ready: Promise<void> | null;
}

/** A board that knows nothing yet. */
export function waitingBoard(): WaitingBoard {
  return { queues: new Map(), subs: [], ready: null };
}

function queueOf(board: WaitingBoard, queue: string): QueueWaiting {
  let q = board.queues.get(queue);
  if (!q) {
    q = {
      priorities: null,
      prioritiesAt: 0,
      heard: new Set(),
      workGen: 0,
      delaysFrom: null,
      delaysAt: 0,
      delayGen: 0,
      woken: [],
      dry: false,
      backAt: -Infinity,
    };
    board.queues.set(queue, q);
  }
  return q;
}

/** The last dot-separated token of `subject` as a number, and what comes before it after `head`. */
function split(subject: string, head: string): { queue: string; n: number } | null {
  const dot = subject.lastIndexOf('.');
  if (!subject.startsWith(head) || dot <= head.length) return null;
  const n = Number(subject.slice(dot + 1));
  return Number.isFinite(n) ? { queue: subject.slice(head.length, dot), n } : null;
}

/** Starts listening to the pointer and delay subjects, once per backend. */
export function waitingListen(ctx: Ctx): Promise<void> {
  const board = ctx.waiting;
  if (board.ready) return board.ready;
  const work = `${ctx.n.prefix}.work.`;
  const delay = `${ctx.n.prefix}.delay.`;
  const onWork = (subject: string): void => {
    const w = split(subject, work);
    if (!w) return;
    const q = queueOf(board, w.queue);
    q.workGen++;
    q.heard.add(w.n);
    q.priorities?.add(w.n);
  };
  const onDelay = (subject: string): void => {
    const d = split(subject, delay);
    if (!d) return;
    const q = queueOf(board, d.queue);
    q.delayGen++;
    if (q.delaysFrom !== null) q.delaysFrom = Math.min(q.delaysFrom, d.n);
  };
  board.subs = [
    ctx.nc.subscribe(`${work}>`, { callback: (_err, m) => onWork(m.subject) }),
    ctx.nc.subscribe(`${delay}>`, { callback: (_err, m) => onDelay(m.subject) }),
  ];
  board.ready = ctx.nc.flush().catch(() => {
    board.ready = null;
  });
  return board.ready;
}

/** Stops listening. */
export function waitingClose(ctx: Ctx): void {
  for (const sub of ctx.waiting.subs) sub.unsubscribe();
}

/** The current generations of `queue` (taken before a read whose answer is to be kept). */
export function waitingGen(ctx: Ctx, queue: string): WaitingGen {
  const q = queueOf(ctx.waiting, queue);
  return { work: q.workGen, delay: q.delayGen };
}

/**
 * How long what was read is trusted, ms (monotonic): a pointer that comes back without being
 * published again (redelivered after a claimer died) is not heard, and is found by the next read.
 */
const WAITING_KEPT_MS = 1_000;

/** The priorities of `queue` that may hold pointers, highest first (empty: none); null when not known. */
export function knownPriorities(ctx: Ctx, queue: string): number[] | null {
  const q = ctx.waiting.queues.get(queue);
  if (!q?.priorities || performance.now() - q.prioritiesAt > WAITING_KEPT_MS) return null;
  return [...q.priorities].sort((a, b) => b - a);
}

/**
 * Keeps what a read of the work stream found; with every priority ever heard when a pointer
 * came since `gen` (a priority too many costs one empty pull, one too few a lost wake-up).
 */
export function prioritiesRead(ctx: Ctx, queue: string, gen: WaitingGen, priorities: number[]): void {
  const q = queueOf(ctx.waiting, queue);
  q.priorities = new Set(q.workGen === gen.work ? priorities : [...priorities, ...q.heard]);
  q.prioritiesAt = performance.now();
}

/**
 * How long after pointers were handed back an empty pull does not make a priority empty, ms
 * (monotonic): the server applies a `-NAK` after a pull that was sent after it, at times.
 */
const HANDED_BACK_MS = 250;

/**
 * Forgets priority `priority` of `queue` (a pull found it empty), unless a pointer came since
 * `gen` or pointers were handed back a moment ago.
 */
export function priorityEmpty(ctx: Ctx, queue: string, gen: WaitingGen, priority: number): void {
  const q = queueOf(ctx.waiting, queue);
  if (q.workGen !== gen.work || performance.now() - q.backAt < HANDED_BACK_MS) return;
  q.priorities?.delete(priority);
}

/**
 * Notes that a claim handed pointers of `priority` back (`-NAK`): they wait again without being
 * published again, so nothing is heard of them.
 */
export function pointersBack(ctx: Ctx, queue: string, priority: number): void {
  const q = queueOf(ctx.waiting, queue);
  q.workGen++;
  q.heard.add(priority);
  q.priorities?.add(priority);
  q.backAt = performance.now();
}

/** True when no delay entry of `queue` can be due at `now` (engine clock), as far as known. */
export function noDelaysDue(ctx: Ctx, queue: string, now: number): boolean {
  const q = ctx.waiting.queues.get(queue);
  if (!q || q.delaysFrom === null || performance.now() - q.delaysAt > WAITING_KEPT_MS) return false;
  return Math.floor(now / 1000) < q.delaysFrom;
}

/**
 * Keeps what a promotion found (`from`: the first second of the entries left, Infinity when
 * none, null when some due entry was left behind), unless a delay entry came since `gen`.
 */
export function delaysRead(ctx: Ctx, queue: string, gen: WaitingGen, from: number | null): void {
  const q = queueOf(ctx.waiting, queue);
  q.delaysFrom = q.delayGen === gen.delay ? from : null;
  q.delaysAt = performance.now();
}

/** Most job ids a queue keeps from wake-ups between two claims. */
const WOKEN_MAX = 16;

/** Notes that a wake-up named job `id` of `queue` (its `job.enqueued` event). */
export function wokenAdd(ctx: Ctx, queue: string, id: string): void {
  const q = queueOf(ctx.waiting, queue);
  if (q.woken.length < WOKEN_MAX && !q.woken.includes(id)) q.woken.push(id);
}

/**
 * The jobs wake-ups named since the last claim, when that claim found the queue empty (so they
 * are what the next pull will bring); at most `want`. Forgets them either way.
 */
export function wokenTake(ctx: Ctx, queue: string, want: number): string[] {
  const q = ctx.waiting.queues.get(queue);
  if (!q) return [];
  const ids = q.dry ? q.woken.slice(0, want) : [];
  q.woken = [];
  return ids;
}

/** Notes whether a claim of `queue` found nothing. */
export function claimDry(ctx: Ctx, queue: string, dry: boolean): void {
  queueOf(ctx.waiting, queue).dry = dry;
}
