/** Events and wake-ups: published through the events table and NOTIFY, heard by the listener. */
import type { EventFilter, GantryEvent } from '../../core/events.js';
import { withTx } from './connection.js';
import { emit } from './context.js';
import type { Engine } from './engine.js';

/** Publishes events not tied to a change of a job (e.g. `schedule.fired`). */
export async function eventsPublish(e: Engine, p: { events: GantryEvent[] }): Promise<void> {
  if (p.events.length === 0) return;
  await withTx(e.ctx.pool, (db) => emit(e.ctx, db, p.events));
}

/** Subscribes (after a replay from `afterSeq`); answers the function that ends it. */
export function eventsSubscribe(
  e: Engine,
  p: { filter?: EventFilter; afterSeq?: string; onEvent: (e: GantryEvent) => void },
): Promise<() => Promise<void>> {
  return e.listener.subscribe(p.filter, p.afterSeq, p.onEvent);
}

/** Resolves once the notifications of changes committed before it have been handled. */
export function eventsFlush(e: Engine): Promise<void> {
  return e.listener.flush();
}

/** Resolves on a wake-up for one of `queues`, the timeout or the signal. */
export function workAwait(e: Engine, p: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  return e.listener.await(p.queues, p.timeoutMs, p.signal);
}
