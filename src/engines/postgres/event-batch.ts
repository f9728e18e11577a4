/**
 * The events channel's payload: one notification per statement, `<first seq> <last seq>
 * <types,…>` and, for small batches, a newline and the events as a JSON array (see
 * `notifyEventsSql`). The header is read without parsing the JSON, so a listener whose
 * subscribers want none of the batch's types drops it for the price of a split.
 */
import type { EventFilter, EventType, GantryEvent } from '../../core/events.js';

/** One notified batch of events. */
export interface EventBatch {
  from: string;
  to: string;
  types: EventType[];
  /** The events' JSON array when they came inline; null: read seqs `from`..`to` from the table. */
  body: string | null;
}

/** Parses a notification's payload; null when it is not one. */
export function parseBatch(payload: string): EventBatch | null {
  const nl = payload.indexOf('\n');
  const head = (nl < 0 ? payload : payload.slice(0, nl)).split(' ');
  if (head.length !== 3 || !/^\d+$/.test(head[0]!) || !/^\d+$/.test(head[1]!)) return null;
  const body = nl < 0 ? null : payload.slice(nl + 1);
  return { from: head[0]!, to: head[1]!, types: head[2]!.split(',') as EventType[], body };
}

/** True when some event of a batch with these `types` may pass `filter`. */
export function mayMatch(types: EventType[], filter: EventFilter | undefined): boolean {
  const wanted = filter?.types;
  if (!wanted || wanted.length === 0) return true;
  return types.some((t) => wanted.includes(t));
}

/** The inline events of a batch; null when the body is missing or not an array of events. */
export function inlineEvents(body: string | null): GantryEvent[] | null {
  if (body === null) return null;
  try {
    const v: unknown = JSON.parse(body);
    return Array.isArray(v) ? (v as GantryEvent[]) : null;
  } catch {
    return null;
  }
}
