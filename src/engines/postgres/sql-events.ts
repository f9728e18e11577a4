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

/**
 * A CTE `ev` storing the `ev` column of CTE `changed` as ONE events row (a JSON array, in
 * `order`), so a batch of N changes writes one row, not N. See `event-batch.ts` for seqs.
 */
export function storeEventsCte(s: string, at: string, order = ''): string {
  return `ev AS (INSERT INTO ${s}.events (at, data)
    SELECT ${at}::bigint, jsonb_agg(c.ev${order ? ` ORDER BY ${order}` : ''}) FROM changed c HAVING count(*) > 0
    RETURNING seq, data)`;
}

/** Events a notification carries inline; larger batches send only their header. */
export const INLINE_EVENTS = 16;
/** Most bytes of inline events (NOTIFY payloads must stay under 8000 bytes). */
const INLINE_BYTES = 7000;

/**
 * A scalar subquery sending ONE notification on `channel` for the events row of CTE `cte`
 * (`seq`, `data`): `<row seq> <types,…>`, then, when the batch is small, a newline and the
 * row's JSON array. One NOTIFY per statement keeps the commit cheap, and the header lets a
 * listener skip a batch its subscribers do not want without parsing it; a header-only batch
 * is read from the events table by whoever wants it.
 */
export function notifyEventsSql(channel: string, cte = 'ev'): string {
  return `(SELECT count(pg_notify(${channel}, e.seq::text || ' '
      || (SELECT string_agg(DISTINCT x->>'type', ',') FROM jsonb_array_elements(e.data) x)
      || CASE WHEN jsonb_array_length(e.data) > ${INLINE_EVENTS} THEN ''
        ELSE (SELECT CASE WHEN octet_length(z.t) < ${INLINE_BYTES} THEN E'\\n' || z.t ELSE '' END
          FROM (SELECT e.data::text AS t) z) END))
    FROM ${cte} e)`;
}
