/**
 * Events built and sent by the statement that makes the change, so a hot-path write is one
 * round trip: the changed rows' events go into the events table and out through NOTIFY in
 * the same statement (hence the same transaction). The row → event mapping is the one
 * `jobEvent` (core) makes; the event type comes from the core's `EVENT_FOR_STATE`.
 */
import { EVENT_FOR_STATE } from '../../core/events.js';
import type { JobState } from '../../core/job.js';

/** `CASE` over a row's state giving the core's event type for it. */
export function eventTypeOf(j: string): string {
  const arms = (Object.entries(EVENT_FOR_STATE) as [JobState, string][]).map(([s, t]) => `WHEN '${s}' THEN '${t}'`);
  return `CASE ${j}.state ${arms.join(' ')} END`;
}

/** Longest text an event field keeps: a NOTIFY payload must stay under 8000 bytes. */
export const MAX_EVENT_TEXT = 1000;

/**
 * The event of job row `j` as jsonb, the fields of `jobEvent`: type, at, jobId, jobType,
 * queue, state, attempt, workerId (left out when null), plus `extra` pairs.
 */
export function eventSql(j: string, type: string, at: string, extra = ''): string {
  return `jsonb_strip_nulls(jsonb_build_object('type', ${type}, 'at', ${at}::bigint, 'jobId', ${j}.id,
    'jobType', ${j}.type, 'queue', ${j}.queue, 'state', ${j}.state, 'attempt', ${j}.attempts,
    'workerId', ${j}.worker_id${extra}))`;
}

/** A CTE `ev` storing the `ev` column of CTE `changed` in the events table. */
export function storeEventsCte(s: string, at: string): string {
  return `ev AS (INSERT INTO ${s}.events (at, data) SELECT ${at}::bigint, c.ev FROM changed c RETURNING seq, data)`;
}

/** Events a notification carries inline; larger batches send only their header. */
export const INLINE_EVENTS = 16;
/** Most bytes of inline events (NOTIFY payloads must stay under 8000 bytes). */
const INLINE_BYTES = 7000;

/**
 * A scalar subquery sending ONE notification on `channel` for all events of CTE `cte` (with
 * `seq`, `data`): `<first seq> <last seq> <types,…>`, then, when the batch is small, a newline
 * and the events as a JSON array. One NOTIFY per statement instead of one per event keeps the
 * commit cheap, and the header lets a listener skip a batch its subscribers do not want without
 * parsing it; a header-only batch is read from the events table by whoever wants it.
 */
export function notifyEventsSql(channel: string, cte = 'ev'): string {
  return `(SELECT count(pg_notify(${channel}, h.head
      || CASE WHEN octet_length(h.body) < ${INLINE_BYTES} THEN E'\n' || h.body ELSE '' END))
    FROM (SELECT min(e.seq)::text || ' ' || max(e.seq)::text || ' ' || string_agg(DISTINCT e.data->>'type', ',') AS head,
        CASE WHEN count(*) <= ${INLINE_EVENTS}
          THEN jsonb_agg(jsonb_set(e.data, '{seq}', to_jsonb(e.seq::text)) ORDER BY e.seq)::text END AS body
      FROM ${cte} e HAVING count(*) > 0) h)`;
}
