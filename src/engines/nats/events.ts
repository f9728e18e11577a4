/**
 * Events and wake-ups. Every event is a message on the event stream (`<prefix>.ev.<type>`),
 * its stream sequence the event's `seq`; a subscriber reads it with an ordered consumer from
 * the sequence it asks for. Workers wake on the core subscription of the same subjects, which
 * a core NATS subscriber receives as the stream stores them.
 */
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { eventMatches, wakesWorkers, type EventFilter, type GantryEvent } from '../../core/events.js';
import { mapError } from './connection.js';
import { backgroundSettled, publishEvents, type Ctx } from './context.js';

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
}

/** A new, empty hub. */
export function eventHub(): EventHub {
  return { readers: new Set(), waiters: new Set(), wakeSub: null };
}

/** The hub of an engine context. */
type EventCtx = Ctx & { hub: EventHub };

/** Publishes events not tied to a change of a job (e.g. `schedule.fired`). */
export async function eventsPublish(ctx: EventCtx, p: { events: GantryEvent[] }): Promise<void> {
  publishEvents(ctx, p.events);
  await backgroundSettled(ctx);
}

/** The last sequence of the event stream. */
async function lastSeq(ctx: Ctx): Promise<number> {
  return (await ctx.jsm.streams.info(ctx.n.eventStream).catch(mapError)).state.last_seq;
}

/** Subscribes from `afterSeq` (or from now); answers the function that ends it. */
export async function eventsSubscribe(
  ctx: EventCtx,
  p: { filter?: EventFilter; afterSeq?: string; onEvent: (e: GantryEvent) => void },
): Promise<() => Promise<void>> {
  const after = p.afterSeq !== undefined && /^\d+$/.test(p.afterSeq) ? Number(p.afterSeq) : await lastSeq(ctx);
  const reader: Reader = { seq: after, closed: false, waiters: [] };
  const consumer = await ctx.js.consumers
    .get(ctx.n.eventStream, {
      filter_subjects: `${ctx.n.prefix}.ev.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
    })
    .catch(mapError);
  const messages: ConsumerMessages = await consumer
    .consume({
      callback: (m) => {
        const e = m.json<GantryEvent>();
        e.seq = String(m.seq);
        reader.seq = m.seq;
        if (eventMatches(e, p.filter)) p.onEvent(e);
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

/** Starts the wake-up subscription of this backend (at open, so no wake-up is missed). */
export function wakeSubscription(ctx: EventCtx): void {
  if (ctx.hub.wakeSub) return;
  const sub = ctx.nc.subscribe(`${ctx.n.prefix}.ev.>`, {
    callback: (_err, m) => {
      if (ctx.hub.waiters.size === 0) return;
      let e: GantryEvent;
      try {
        e = m.json<GantryEvent>();
      } catch {
        return;
      }
      if (!wakesWorkers(e) || !e.queue) return;
      for (const w of ctx.hub.waiters) if (w.queues.includes(e.queue)) w.wake();
    },
  });
  ctx.hub.wakeSub = sub;
}

/** Resolves on a wake-up for one of `queues`, the timeout or the signal. */
export async function workAwait(
  ctx: EventCtx,
  p: { queues: string[]; timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  wakeSubscription(ctx);
  if (p.signal?.aborted) return;
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
