/** Events and wake-ups through the event hub (see `event-hub.ts`). */
import type { EventFilter, GantryEvent } from '../../core/events.js';
import type { Store } from './store.js';

/** Publishes events not tied to a change of a job (e.g. `schedule.fired`). */
export function eventsPublish(s: Store, p: { events: GantryEvent[] }): void {
  const events = p.events.map((e) => ({ ...e }));
  s.write((out) => void out.push(...events));
}

/** Subscribes (after a replay from `afterSeq`); answers the function that ends it. */
export function eventsSubscribe(
  s: Store,
  p: { filter?: EventFilter; afterSeq?: string; onEvent: (e: GantryEvent) => void },
): () => Promise<void> {
  const off = s.hub.subscribe(p.filter, p.afterSeq, p.onEvent);
  return async () => off();
}

/** Hands this process's subscribers other processes' committed events now. */
export function eventsFlush(s: Store): void {
  s.hub.flush();
}

/** Resolves on a wake-up for one of `queues`, the timeout or the signal. */
export function workAwait(s: Store, p: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  return s.hub.await(p.queues, p.timeoutMs, p.signal);
}
