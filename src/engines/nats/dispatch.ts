/**
 * Dispatch: pointers to due jobs on the work stream (one subject and one durable pull consumer
 * per queue and exact priority) and entries of delayed jobs on the delay stream (one subject per
 * queue and second of `runAt`). The job record stays the truth: a pointer or an entry is a hint
 * that is checked against the record, written before the record's change it announces, and
 * dropped when the record says it is stale (docs/nats.md).
 */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { createInbox, type Msg } from '@nats-io/transport-node';
import { NATS_POINTER_GRACE_MS } from '../../core/constants.js';
import type { Job } from '../../core/job.js';
import { mapError } from './connection.js';
import type { Ctx, Versioned } from './context.js';
import { wirePublish } from './wire.js';

/**
 * What a pointer or a delay entry carries: the job, the record revision its change follows
 * (`after`: the record is not yet written while its revision is no later), and when it was
 * written (the engine clock), so one whose record never came is dropped after a grace period.
 */
export interface Hint {
  id: string;
  after: number;
  at: number;
}

/** Publishes the hint that makes `job` findable in its state: a pointer (queued) or a delay entry. */
export async function announce(ctx: Ctx, job: Job, after: number): Promise<void> {
  const hint: Hint = { id: job.id, after, at: ctx.now() };
  const subject =
    job.state === 'queued'
      ? ctx.n.work(job.queue, job.priority)
      : ctx.n.delay(job.queue, Math.floor(job.runAt.getTime() / 1000));
  await wirePublish(ctx.wire, subject, JSON.stringify(hint)).catch(mapError);
}

/** True when a job in `v` may need `announce`: a waiting state. */
export function needsHint(job: Job): boolean {
  return job.state === 'queued' || job.state === 'scheduled' || job.state === 'retrying';
}

/** What a hint says once its record is read. */
export type HintVerdict = 'current' | 'pending' | 'stale';

/** Whether a hint's record has been written yet (`pending`), and is what the hint announced. */
export function judgeHint(ctx: Ctx, hint: Hint, v: Versioned | null): HintVerdict {
  const landed = v !== null && v.rev > hint.after;
  if (!landed) return ctx.now() - hint.at > NATS_POINTER_GRACE_MS ? 'stale' : 'pending';
  return 'current';
}

/** The priorities of `queue` that hold pointers now, highest first. */
export async function prioritiesWaiting(ctx: Ctx, queue: string): Promise<number[]> {
  const info = await ctx.jsm.streams.info(ctx.n.workStream, { subjects_filter: ctx.n.work(queue) }).catch(mapError);
  const subjects = info.state.subjects ?? {};
  return Object.entries(subjects)
    .filter(([, count]) => count > 0)
    .map(([s]) => Number(s.slice(s.lastIndexOf('.') + 1)))
    .sort((a, b) => b - a);
}

/** Makes the durable consumer of one queue's priority unless this process made it already. */
export async function workConsumer(ctx: Ctx, queue: string, priority: number): Promise<string> {
  const name = ctx.n.workConsumer(queue, priority);
  if (ctx.consumers.has(name)) return name;
  await ctx.jsm.consumers
    .add(ctx.n.workStream, {
      durable_name: name,
      filter_subject: ctx.n.work(queue, priority),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000_000_000,
      max_deliver: -1,
      max_ack_pending: -1,
    })
    .catch(mapError);
  ctx.consumers.add(name);
  return name;
}

/**
 * Up to `n` pointers of a consumer, without waiting for more than there are (`no_wait`): the
 * client's `fetch` waits at least a second for a batch to fill.
 */
export async function pull(ctx: Ctx, stream: string, consumer: string, n: number): Promise<Msg[]> {
  const inbox = createInbox();
  const sub = ctx.nc.subscribe(inbox, { timeout: 5_000 });
  const out: Msg[] = [];
  ctx.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify({ batch: n, no_wait: true }), {
    reply: inbox,
  });
  try {
    for await (const m of sub) {
      // A status message (404 no messages, 408 request done) ends the batch.
      if (m.headers && m.data.length === 0 && m.headers.code >= 300) break;
      out.push(m);
      if (out.length >= n) break;
    }
  } catch (err) {
    mapError(err);
  } finally {
    sub.unsubscribe();
  }
  return out;
}

/** Acknowledges a pulled message: the work stream forgets it. */
export function ack(ctx: Ctx, m: Msg): void {
  if (m.reply) ctx.nc.publish(m.reply, '+ACK');
}

/** Hands a pulled message back for redelivery after `delayMs` (0: at once). */
export function nak(ctx: Ctx, m: Msg, delayMs = 0): void {
  if (!m.reply) return;
  ctx.nc.publish(m.reply, delayMs > 0 ? `-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}` : '-NAK');
}

/** Least time between two hand-over wake-ups of one queue from one process, ms (monotonic time). */
const HAND_OVER_EVERY_MS = 100;

/**
 * Wakes the other workers of `queue`, in this process and in others (`<prefix>.wake.<queue>`,
 * core NATS): this process handed back pointers of job types it does not handle. At most every
 * `HAND_OVER_EVERY_MS` (a later one waits for the interval), so workers that lack a type do
 * not wake each other in a tight loop.
 */
export function handOver(ctx: Ctx, queue: string): void {
  if (ctx.handOverDue.has(queue)) return; // one is on its way
  const wait = (ctx.handedOverAt.get(queue) ?? -Infinity) + HAND_OVER_EVERY_MS - performance.now();
  const send = (): void => {
    ctx.handOverDue.delete(queue);
    ctx.handedOverAt.set(queue, performance.now());
    ctx.wakeLocal?.(queue);
    if (!ctx.nc.isClosed()) ctx.nc.publish(`${ctx.n.prefix}.wake.${queue}`, ctx.origin);
  };
  if (wait <= 0) return send();
  // Too soon after the last: sent once the interval is over, never dropped.
  ctx.handOverDue.add(queue);
  setTimeout(send, wait).unref();
}

/** A delay entry as read from the stream. */
export interface DelayEntry {
  seq: number;
  /** The second of the entry's bucket. */
  second: number;
  hint: Hint;
}

/**
 * The delay entries of the buckets due at `now` (their second has begun), oldest bucket first:
 * of one queue, or of every queue. At most `limit` entries; `later` is the first second of the
 * buckets not yet due (Infinity when there are none).
 */
export async function dueDelayEntries(
  ctx: Ctx,
  queue: string | null,
  now: number,
  limit: number,
): Promise<{ entries: DelayEntry[]; later: number }> {
  const filter = queue === null ? `${ctx.n.prefix}.delay.>` : ctx.n.delay(queue);
  const info = await ctx.jsm.streams.info(ctx.n.delayStream, { subjects_filter: filter }).catch(mapError);
  const second = Math.floor(now / 1000);
  const buckets = Object.entries(info.state.subjects ?? {})
    .map(([s, count]) => ({ s, count, t: Number(s.slice(s.lastIndexOf('.') + 1)) }))
    .filter((b) => b.count > 0);
  const due = buckets.filter((b) => b.t <= second).sort((a, b) => a.t - b.t);
  const later = Math.min(Infinity, ...buckets.filter((b) => b.t > second).map((b) => b.t));
  const out: DelayEntry[] = [];
  for (const b of due) {
    let seq = 0;
    for (let i = 0; i < b.count && out.length < limit; i++) {
      const m = await ctx.jsm.direct.getMessage(ctx.n.delayStream, { next_by_subj: b.s, seq: seq + 1 }).catch(mapError);
      if (!m) break;
      seq = m.seq;
      out.push({ seq: m.seq, second: b.t, hint: m.json<Hint>() });
    }
    if (out.length >= limit) break;
  }
  return { entries: out, later };
}

/** Forgets one delay entry (by sequence: never a filtered purge, see docs/nats.md). */
export async function dropDelayEntry(ctx: Ctx, seq: number): Promise<void> {
  await ctx.jsm.streams.deleteMessage(ctx.n.delayStream, seq, false).catch(() => undefined);
}

/** Most job ids one wake-up hint names (a worker reads at most as many early). */
const HINT_IDS_MAX = 16;

/**
 * Tells the idle workers of other processes, on the hand-over subject, that job `id` of
 * `queue` is being written as queued: sent right after the record's write, before its
 * acknowledgement and its event, so an idle worker's claim (and its early read of the record)
 * starts a round trip sooner. The ids of one turn go in one message (`<origin>\n<JSON ids>`).
 * Only a hint: a record not yet stored when the worker reads it is read again after the pull.
 */
export function hintQueued(ctx: Ctx, queue: string, id: string): void {
  let ids = ctx.hints.get(queue);
  if (!ids) {
    ids = [];
    ctx.hints.set(queue, ids);
    if (ctx.hints.size === 1) queueMicrotask(() => sendHints(ctx));
  }
  if (ids.length < HINT_IDS_MAX) ids.push(id);
}

function sendHints(ctx: Ctx): void {
  for (const [queue, ids] of ctx.hints) {
    if (!ctx.nc.isClosed()) ctx.nc.publish(`${ctx.n.prefix}.wake.${queue}`, `${ctx.origin}\n${JSON.stringify(ids)}`);
  }
  ctx.hints.clear();
}

/** What a message on the hand-over subject says: who sent it, and the jobs it names (a hint). */
export function wakeOf(text: string): { from: string; ids: string[] } {
  const nl = text.indexOf('\n');
  if (nl < 0) return { from: text, ids: [] };
  let ids: unknown;
  try {
    ids = JSON.parse(text.slice(nl + 1));
  } catch {
    ids = [];
  }
  return {
    from: text.slice(0, nl),
    ids: Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string').slice(0, HINT_IDS_MAX) : [],
  };
}
