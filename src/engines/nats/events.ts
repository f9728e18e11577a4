/**
 * Events and wake-ups. Every event is a message on the event stream (`<prefix>.ev.<type>`),
 * its stream sequence the event's `seq`; a subscriber reads it with an ordered consumer from
 * the sequence it asks for. Workers wake on the core subscription of the same subjects, which
 * a core NATS subscriber receives as the stream stores them.
 */
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import {
  eventMatches,
  wakesWorkers,
  WAKING_EVENT_TYPES,
  type EventFilter,
  type EventType,
  type GantryEvent,
} from '../../core/events.js';
import { mapError } from './connection.js';
import { backgroundSettled, EVENTS_PER_MESSAGE_MAX, MIXED_EVENTS, publishEvents, type Ctx } from './context.js';
import { wakeOf } from './dispatch.js';
import { wokenAdd } from './waiting.js';

/** A local subscriber: how far it has read, and who waits for it to read further. */
interface Reader {
  seq: number;
  closed: boolean;
  waiters: { seq: number; resolve: () => void }[];
}

/** A worker waiting for work in some queues. */
interface Waiter {
  queues: string[];
  wake: () => void;
}

/** The event state of one backend: its subscribers and its wake-up subscription. */
export interface EventHub {
  readers: Set<Reader>;
  waiters: Set<Waiter>;
  wakeSub: Subscription | null;
  /** The subscription of hand-over wake-ups (`<prefix>.wake.<queue>`). */
  handOverSub: Subscription | null;
  /**
   * Queues woken while no worker of this process waited for them (it was claiming): the next
   * wait for one of them returns at once, so a wake-up is never lost between a claim and a wait.
   */
  missed: Set<string>;
}

/** A new, empty hub. */
export function eventHub(): EventHub {
  return { readers: new Set(), waiters: new Set(), wakeSub: null, handOverSub: null, missed: new Set() };
}

/** The hub of an engine context. */
type EventCtx = Ctx & { hub: EventHub };

/** Publishes events not tied to a change of a job (e.g. `schedule.fired`). */
export async function eventsPublish(ctx: EventCtx, p: { events: GantryEvent[] }): Promise<void> {
  publishEvents(ctx, p.events);
  await backgroundSettled(ctx);
}

/** The events of one message: an array, or one event (as a plain client may publish). */
const eventsOf = (body: GantryEvent | GantryEvent[]): GantryEvent[] => (Array.isArray(body) ? body : [body]);

/** The last sequence of the event stream. */
async function lastSeq(ctx: Ctx): Promise<number> {
  return (await ctx.jsm.streams.info(ctx.n.eventStream).catch(mapError)).state.last_seq;
}

/** Subscribes from `afterSeq` (or from now); answers the function that ends it. */
export async function eventsSubscribe(
  ctx: EventCtx,
  p: { filter?: EventFilter; afterSeq?: string; onEvent: (e: GantryEvent) => void },
): Promise<() => Promise<void>> {
  // A seq is the message's stream sequence times EVENTS_PER_MESSAGE_MAX plus the event's index.
  const given = p.afterSeq !== undefined && /^\d+$/.test(p.afterSeq) ? Number(p.afterSeq) : null;
  const after = given === null ? (await lastSeq(ctx)) + 1 : Math.floor(given / EVENTS_PER_MESSAGE_MAX);
  const skipThrough = given === null ? -1 : given;
  const reader: Reader = { seq: after - 1, closed: false, waiters: [] };
  const consumer = await ctx.js.consumers
    .get(ctx.n.eventStream, {
      filter_subjects: ctx.n.event('>'),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, after),
    })
    .catch(mapError);
  const messages: ConsumerMessages = await consumer
    .consume({
      callback: (m) => {
        reader.seq = m.seq;
        // A message of one type the filter leaves out is not read (a worker asks for few types).
        const type = ctx.n.eventType(m.subject);
        const skip = type !== MIXED_EVENTS && !!p.filter?.types?.length && !p.filter.types.includes(type as EventType);
        for (const [i, e] of skip ? [] : eventsOf(m.json<GantryEvent | GantryEvent[]>()).entries()) {
          const seq = m.seq * EVENTS_PER_MESSAGE_MAX + i;
          if (seq <= skipThrough) continue;
          e.seq = String(seq);
          if (eventMatches(e, p.filter)) p.onEvent(e);
        }
        reader.waiters = reader.waiters.filter((w) => (w.seq <= reader.seq ? (w.resolve(), false) : true));
      },
    })
    .catch(mapError);
  ctx.hub.readers.add(reader);
  return async () => {
    reader.closed = true;
    ctx.hub.readers.delete(reader);
    for (const w of reader.waiters) w.resolve();
    await messages.close().catch(() => undefined);
  };
}

/** Resolves once every subscriber of this process has read every event stored before the call. */
export async function eventsFlush(ctx: EventCtx): Promise<void> {
  await backgroundSettled(ctx);
  const target = await lastSeq(ctx);
  await Promise.all(
    [...ctx.hub.readers].map(
      (r) =>
        new Promise<void>((resolve) =>
          r.closed || r.seq >= target ? resolve() : r.waiters.push({ seq: target, resolve }),
        ),
    ),
  );
}

/**
 * True when a message of event subject token `type` may hold events the wake-up subscription
 * acts on: ones that wake workers, queue changes, or several types together (`mixed`).
 */
function heardType(type: string): boolean {
  return type === MIXED_EVENTS || type.startsWith('queue.') || WAKING_EVENT_TYPES.includes(type as EventType);
}

/** Wakes this process's workers of `queue`, or remembers the wake-up for the next wait. */
function wakeQueue(ctx: EventCtx, queue: string): void {
  let woke = false;
  for (const w of ctx.hub.waiters) {
    if (!w.queues.includes(queue)) continue;
    w.wake();
    woke = true;
  }
  if (!woke) ctx.hub.missed.add(queue);
}

/** Starts the wake-up subscription of this backend (at open, so no wake-up is missed). */
export function wakeSubscription(ctx: EventCtx): void {
  if (ctx.hub.wakeSub) return;
  const sub = ctx.nc.subscribe(ctx.n.event('>'), {
    callback: (_err, m) => {
      // Most events (a job started or ended) neither wake workers nor change settings: their
      // messages, one type each, are passed over unread.
      if (!heardType(ctx.n.eventType(m.subject))) return;
      let events: GantryEvent[];
      try {
        events = eventsOf(m.json<GantryEvent | GantryEvent[]>());
      } catch {
        return;
      }
      for (const e of events) {
        // A change of a queue's settings, made by any process: read them again.
        if (e.type.startsWith('queue.') && e.queue) ctx.settings.delete(e.queue);
        if (!wakesWorkers(e) || !e.queue) continue;
        if (e.type === 'job.enqueued' && e.jobId) wokenAdd(ctx, e.queue, e.jobId);
        wakeQueue(ctx, e.queue);
      }
    },
  });
  ctx.hub.wakeSub = sub;
  ctx.wakeLocal = (queue) => wakeQueue(ctx, queue);
  const wakeHead = `${ctx.n.prefix}.wake.`;
  ctx.hub.handOverSub = ctx.nc.subscribe(`${wakeHead}*`, {
    callback: (_err, m) => {
      const { from, ids } = wakeOf(m.string());
      if (from === ctx.origin) return;
      const queue = m.subject.slice(wakeHead.length);
      for (const id of ids) wokenAdd(ctx, queue, id);
      wakeQueue(ctx, queue);
    },
  });
}

/** Resolves on a wake-up for one of `queues`, the timeout or the signal. */
export async function workAwait(
  ctx: EventCtx,
  p: { queues: string[]; timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  wakeSubscription(ctx);
  if (p.signal?.aborted) return;
  const missed = p.queues.filter((q) => ctx.hub.missed.has(q));
  if (missed.length > 0) {
    for (const q of missed) ctx.hub.missed.delete(q);
    return;
  }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      cancel();
      ctx.hub.waiters.delete(waiter);
      p.signal?.removeEventListener('abort', done);
      resolve();
    };
    const waiter: Waiter = { queues: p.queues, wake: done };
    const cancel = ctx.clock.setTimeout(done, Math.max(0, p.timeoutMs));
    ctx.hub.waiters.add(waiter);
    p.signal?.addEventListener('abort', done, { once: true });
  });
}

/** The time of the first event of message `seq` of the event stream, or null when it is gone. */
async function messageTime(ctx: Ctx, seq: number): Promise<number | null> {
  const m = await ctx.jsm.streams.getMessage(ctx.n.eventStream, { seq }).catch(() => null);
  if (!m) return null;
  return eventsOf(m.json<GantryEvent | GantryEvent[]>())[0]?.at ?? null;
}

/**
 * Deletes the events before `before` (the engine clock's times they carry): finds the first
 * message at or after it by a binary search over sequences (messages are stored in the order
 * their changes were made), then purges every message below it. An unfiltered purge up to a
 * sequence: the event stream has no durable consumer, and no purge is ever filtered by subject.
 */
export async function eventsPrune(ctx: Ctx, before: Date): Promise<void> {
  const state = (await ctx.jsm.streams.info(ctx.n.eventStream).catch(mapError)).state;
  let lo = state.first_seq;
  let hi = state.last_seq; // never the newest message: the stream keeps its sequence going
  if (state.messages === 0 || lo >= hi) return;
  const limit = before.getTime();
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const at = await messageTime(ctx, mid);
    if (at !== null && at < limit) lo = mid + 1;
    else hi = mid;
  }
  if (lo > state.first_seq) await ctx.jsm.streams.purge(ctx.n.eventStream, { seq: lo }).catch(mapError);
}
