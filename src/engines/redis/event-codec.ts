/**
 * Events as the scripts store them: one stream entry per script run, with fields `f` (the seq
 * of its first event), `at` (the clock's time), `t` (its event types, `,job.started,…,`), `e`
 * (a JSON list of its events) and `w` (the queues it wakes, when it wakes any). A job event is the list `[type, jobId, jobType, queue, state,
 * attempt, workerId, extra]` (`false` for absent, `extra` JSON text of the event's other fields);
 * an event the engine built in the process is the event's object.
 */
import { jobEvent, wakesWorkers, type EventFilter, type EventType, type GantryEvent } from '../../core/events.js';
import type { JobState } from '../../core/job.js';

type Compact = [
  EventType,
  string | false,
  string | false,
  string | false,
  JobState | false,
  number | false,
  string | false,
  string | false,
];

/** One stream entry: its id's sequence part (the seq of its last event) and its fields. */
export interface StreamEntry {
  last: number;
  first: number;
  at: number;
  types: string;
  body: string;
  /** The queues it wakes, `q1,q2` ('' for none). */
  wakes: string;
}

/** Reads an entry of `XREAD`/`XRANGE`: `[id, [field, value, …]]`. */
export function entryOf([id, fields]: [string, string[]]): StreamEntry {
  const get = (name: string): string => {
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
    return '';
  };
  return {
    last: Number(id.slice(id.indexOf('-') + 1)),
    first: Number(get('f')),
    at: Number(get('at')),
    types: get('t'),
    body: get('e'),
    wakes: get('w'),
  };
}

/** True when an entry may hold an event `filter` takes (by type only; the rest is checked per event). */
export function entryMayMatch(e: StreamEntry, filter: EventFilter | undefined): boolean {
  if (!filter?.types?.length) return true;
  return filter.types.some((t) => e.types.includes(`,${t},`));
}

/** The events of an entry, each with its seq. */
export function entryEvents(e: StreamEntry): GantryEvent[] {
  const items = JSON.parse(e.body) as (Compact | GantryEvent)[];
  return items.map((item, i) => {
    const seq = String(e.first + i);
    if (!Array.isArray(item)) return { ...item, seq };
    const [type, id, jobType, queue, state, attempt, workerId, extra] = item;
    let ev: GantryEvent;
    if (id !== false) {
      ev = jobEvent(
        {
          id,
          type: jobType as string,
          queue: queue as string,
          state: state as JobState,
          attempts: attempt as number,
          workerId: workerId || null,
        },
        type,
        e.at,
      );
    } else {
      ev = { type, at: e.at };
      if (workerId !== false) ev.workerId = workerId;
    }
    if (extra !== false) Object.assign(ev, JSON.parse(extra) as object);
    ev.seq = seq;
    return ev;
  });
}

/** The arguments of events built in the engine: type, JSON, the queue it wakes ('' for none). */
export function eventArgs(events: GantryEvent[]): string[] {
  return events.flatMap((e) => [e.type, JSON.stringify(e), e.queue !== undefined && wakesWorkers(e) ? e.queue : '']);
}
