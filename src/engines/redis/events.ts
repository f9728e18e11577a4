/** Events and wake-ups: published by the scripts to the event stream and the wake channel, heard by the hub. */
import type { EventFilter, GantryEvent } from '../../core/events.js';
import { nowArg, run, type Ctx } from './context.js';
import { eventArgs } from './event-codec.js';

/** Publishes events not tied to a change of a job (e.g. `schedule.fired`). */
export async function eventsPublish(ctx: Ctx, p: { events: GantryEvent[] }): Promise<void> {
  if (p.events.length === 0) return;
  await run(ctx, 'events-publish', [nowArg(ctx), ...eventArgs(p.events)]);
}

/** Subscribes (after a replay from `afterSeq`); answers the function that ends it. */
export function eventsSubscribe(
  ctx: Ctx,
  p: { filter?: EventFilter; afterSeq?: string; onEvent: (e: GantryEvent) => void },
): Promise<() => Promise<void>> {
  return ctx.hub.subscribe(p.filter, p.afterSeq, p.onEvent);
}

/** Resolves once the events stored before it have been handed to this process's subscribers. */
export function eventsFlush(ctx: Ctx): Promise<void> {
  return ctx.hub.flush();
}

/** Resolves on a wake-up for one of `queues`, the timeout or the signal. */
export function workAwait(ctx: Ctx, p: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  return ctx.hub.await(p.queues, p.timeoutMs, p.signal);
}
