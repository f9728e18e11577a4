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
import { EVENT_FOR_STATE } from '../../core/events.js';
import type { JobState } from '../../core/job.js';

/** `CASE` over a row's state giving the core's event type for it. */
export function eventTypeOf(j: string): string {
  const arms = (Object.entries(EVENT_FOR_STATE) as [JobState, string][]).map(([s, t]) => `WHEN '${s}' THEN '${t}'`);
  return `CASE ${j}.state ${arms.join(' ')} END`;
}

/** The event type of every job entering `state`, as a SQL literal. */
export function eventTypeFor(state: JobState): string {
  const type = EVENT_FOR_STATE[state];
  if (!type) throw new Error(`no event for state ${state}`);
  return `'${type}'`;
}

/** Longest text an event field keeps: a NOTIFY payload must stay under 8000 bytes. */
export const MAX_EVENT_TEXT = 1000;

/** The columns the CTE `changed` must return for `storeEventsCte`. */
export const EVENT_COLS = 'j.id, j.type, j.queue, j.state, j.attempts, j.worker_id';

/** Per-job fields of an event, over a row `c` of CTE `changed` (the fields of `jobEvent`). */
const JOB_FIELDS = {
  jobId: 'c.id',
  jobType: 'c.type',
  queue: 'c.queue',
  state: 'c.state',
  attempt: 'c.attempts',
  workerId: 'c.worker_id',
};

/**
 * A CTE `ev` storing the rows of CTE `changed` as ONE events row in columns. `type` is a
 * literal (the same for every job, stored once) or an expression over `c` (stored per job);
 * `extra` maps more per-job fields (e.g. `error`) to expressions over `c`; `order`, a column
 * of `changed` that orders the events (PostgreSQL aggregates a sorted subquery in its order).
 */
export function storeEventsCte(
  s: string,
  at: string,
  type: string,
  extra: Record<string, string> = {},
  order?: string,
): string {
  const typeField = type.startsWith("'") ? `'type', ${type}` : `'type', array_agg(${type})`;
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

/** How `notifySql` finds a batch's event types and size in the CTE's row `e`. */
interface BatchShape {
  /** SQL text: the comma-separated distinct event types. */
  types: string;
  /** SQL integer: the number of events. */
  count: string;
}

/** The shape of a row written by `storeEventsCte` whose `type` was `type`. */
export function columnsShape(type: string): BatchShape {
  return {
    types: type.startsWith("'") ? type : `(SELECT string_agg(DISTINCT ${type}, ',') FROM changed c)`,
    count: `jsonb_array_length(e.data->'jobId')`,
  };
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
