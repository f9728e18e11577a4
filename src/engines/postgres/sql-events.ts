/**
 * Events built and sent by the statement that makes the change, so a hot-path write is one
 * round trip: the changed rows' events go into the events table and out through NOTIFY in
 * the same statement (hence the same transaction). The row → event mapping is the one
 * `jobEvent` (core) makes; the event type comes from the core's `EVENT_FOR_STATE`.
 *
 * A statement's events are stored as ONE row in columns (`{at, type, jobId: [...], …}`, see
 * `event-batch.ts`): one array per field is several times cheaper to build than one JSON
 * object per job, which matters when a claim or completion carries hundreds of jobs.
 */
import { EVENT_FOR_STATE, EVENT_JOB_FIELDS, type EventType } from '../../core/events.js';
import { JOB_FIELDS as JOB_RECORD } from '../../core/job-record.js';
import type { JobState } from '../../core/job.js';

/** `CASE` over a row's state giving the core's event type for it. */
export function eventTypeOf(j: string): string {
  const arms = (Object.entries(EVENT_FOR_STATE) as [JobState, string][]).map(([s, t]) => `WHEN '${s}' THEN '${t}'`);
  return `CASE ${j}.state ${arms.join(' ')} END`;
}

/** The event type of every job entering `state`. */
export function eventTypeFor(state: JobState): EventType {
  const type = EVENT_FOR_STATE[state];
  if (!type) throw new Error(`no event for state ${state}`);
  return type;
}

/** Longest text an event field keeps: a NOTIFY payload must stay under 8000 bytes. */
export const MAX_EVENT_TEXT = 1000;

const EVENT_SOURCES = Object.values(EVENT_JOB_FIELDS);

/** The columns the CTE `changed` must return for `changedEventsSql`. */
export const EVENT_COLS = EVENT_SOURCES.map((f) => `j.${JOB_RECORD[f].column}`).join(', ');

/** The same columns returned to the engine, named as `jobEvent` reads them (`EventJobFields`). */
export const EVENT_FIELDS = EVENT_SOURCES.map((f) => `j.${JOB_RECORD[f].column} AS "${f}"`).join(', ');

/** Per-job fields of an event, over a row `c` of CTE `changed` (the core's `EVENT_JOB_FIELDS`). */
const JOB_FIELDS: Record<string, string> = Object.fromEntries(
  Object.entries(EVENT_JOB_FIELDS).map(([event, field]) => [event, `c.${JOB_RECORD[field].column}`]),
);

/** The event type of a statement's changed rows: one for all, or per row (SQL over `c`). */
export type ChangedType = EventType | { perRow: string };

/**
 * A CTE `ev` storing the rows of CTE `changed` as ONE events row in columns: a type shared by
 * every job is stored once, a per-row one as an array; `extra` maps more per-job fields (e.g.
 * `error`) to expressions over `c`; `order`, a column of `changed` that orders the events
 * (PostgreSQL aggregates a sorted subquery in its order).
 */
function storeEventsCte(
  s: string,
  at: string,
  type: ChangedType,
  extra: Record<string, string>,
  order?: string,
): string {
  const typeField = typeof type === 'string' ? `'type', '${type}'` : `'type', array_agg(${type.perRow})`;
  const fields = Object.entries({ ...JOB_FIELDS, ...extra }).map(([k, v]) => `'${k}', array_agg(${v})`);
  return `ev AS (INSERT INTO ${s}.events (at, data)
    SELECT ${at}::bigint, jsonb_build_object('at', ${at}::bigint, ${typeField}, ${fields.join(', ')})
    FROM ${order ? `(SELECT * FROM changed ORDER BY ${order})` : 'changed'} c HAVING count(*) > 0
    RETURNING seq, data)`;
}

/** Events a notification carries inline; larger batches send only their header. */
export const INLINE_EVENTS = 16;
/** Most bytes of inline events (NOTIFY payloads must stay under 8000 bytes). */
const INLINE_BYTES = 7000;

/** How `notifyEventsSql` finds a batch's event types and size in the CTE's row `e`. */
interface BatchShape {
  /** SQL text: the comma-separated distinct event types. */
  types: string;
  /** SQL integer: the number of events. */
  count: string;
}

/** The shape of a row holding a JSON array of whole events. */
export const ARRAY_SHAPE: BatchShape = {
  types: `(SELECT string_agg(DISTINCT x->>'type', ',') FROM jsonb_array_elements(e.data) x)`,
  count: 'jsonb_array_length(e.data)',
};

/**
 * A scalar subquery sending ONE notification on `channel` for the events row of CTE `cte`
 * (`seq`, `data`): `<row seq> <types,…>`, then, when the batch is small, a newline and the
 * row's JSON. One NOTIFY per statement keeps the commit cheap, and the header lets a
 * listener skip a batch its subscribers do not want without parsing it; a header-only batch
 * is read from the events table by whoever wants it.
 */
export function notifyEventsSql(channel: string, shape: BatchShape, cte = 'ev'): string {
  return `(SELECT count(pg_notify(${channel}, e.seq::text || ' ' || ${shape.types}
      || CASE WHEN ${shape.count} > ${INLINE_EVENTS} THEN ''
        ELSE (SELECT CASE WHEN octet_length(z.t) < ${INLINE_BYTES} THEN E'\\n' || z.t ELSE '' END
          FROM (SELECT e.data::text AS t) z) END))
    FROM ${cte} e)`;
}

/** What a statement adds to store and NOTIFY the events of its CTE `changed`. */
export interface ChangedEvents {
  /** The CTE `ev` (see `storeEventsCte`), to follow `changed`. */
  store: string;
  /** The scalar subquery that notifies it on the channel. */
  notify: string;
}

/**
 * The events of a statement's CTE `changed`, stored at time `at` and notified on `channel`
 * (both SQL parameters), with their `type` and any `extra` fields and `order` (see
 * `storeEventsCte`).
 */
export function changedEventsSql(
  s: string,
  p: { at: string; channel: string; type: ChangedType; extra?: Record<string, string>; order?: string },
): ChangedEvents {
  const types =
    typeof p.type === 'string' ? `'${p.type}'` : `(SELECT string_agg(DISTINCT ${p.type.perRow}, ',') FROM changed c)`;
  return {
    store: storeEventsCte(s, p.at, p.type, p.extra ?? {}, p.order),
    notify: notifyEventsSql(p.channel, { types, count: `jsonb_array_length(e.data->'jobId')` }),
  };
}
