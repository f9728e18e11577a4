/**
 * Named statements of the job lifecycle (enqueue, claim, complete, fail, …). Every value is a
 * parameter; state lists come from the core's constants (inlined so the partial indexes apply).
 */
import { FINAL_STATES, LIVE_STATES, WAITING_STATES, statesInto, type JobState } from '../../core/job.js';
import type { Statement } from './connection.js';

/** A SQL list literal of core states, e.g. `('queued','scheduled')`. */
export function stateList(states: readonly JobState[]): string {
  return `(${states.map((s) => `'${s}'`).join(', ')})`;
}

/** The columns an event needs (see `jobEvent`). */
export const EVENT_COLS = 'j.id, j.type, j.queue, j.state, j.attempts, j.worker_id';

/** Job statements for one schema `s` (quoted), named with prefix `p`. */
export function jobStatements(s: string, p: string) {
  const st = (name: string, text: string): Statement => ({ name: `${p}_${name}`, text });
  const waiting = stateList(WAITING_STATES);
  const live = stateList(LIVE_STATES);
  return {
    insert: st(
      'insert',
      `INSERT INTO ${s}.jobs (id, type, queue, payload, priority, state, max_attempts, backoff, timeout_ms, run_at,
         deadline, unique_key, unique_window_ms, created_at, tags, metadata)
       SELECT u.id, u.type, u.queue, u.payload, u.priority, u.state, u.max_attempts, u.backoff, u.timeout_ms, u.run_at,
         u.deadline, u.unique_key, u.unique_window_ms, u.created_at,
         ARRAY(SELECT jsonb_array_elements_text(u.tags)), u.metadata
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::int[], $6::text[], $7::int[], $8::jsonb[],
         $9::bigint[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::bigint[], $14::timestamptz[],
         $15::jsonb[], $16::jsonb[])
         AS u(id, type, queue, payload, priority, state, max_attempts, backoff, timeout_ms, run_at, deadline,
           unique_key, unique_window_ms, created_at, tags, metadata)
       ON CONFLICT (id) DO NOTHING
       RETURNING *`,
    ),
    getMany: st('get_many', `SELECT * FROM ${s}.jobs WHERE id = ANY($1::text[])`),
    get: st('get', `SELECT * FROM ${s}.jobs WHERE id = $1`),
    /** Who holds any of these unique keys: live, or ended within its window at time $3. */
    uniqueHolders: st(
      'unique_holders',
      `SELECT id, unique_key FROM ${s}.jobs
       WHERE unique_key = ANY($1::text[]) AND NOT (id = ANY($2::text[]))
         AND (state IN ${live} OR (unique_window_ms IS NOT NULL AND finished_at IS NOT NULL
           AND finished_at + unique_window_ms * interval '1 millisecond' > $3::timestamptz))
       LIMIT 1`,
    ),
    /** Locks the size-capped queues among $1 (in name order, so lockers never deadlock). */
    lockCapped: st(
      'lock_capped',
      `SELECT name, size_cap, size_policy FROM ${s}.queues
       WHERE name = ANY($1::text[]) AND size_cap IS NOT NULL ORDER BY name FOR UPDATE`,
    ),
    waitingCount: st(
      'waiting_count',
      `SELECT count(*)::int AS n FROM ${s}.jobs WHERE queue = $1 AND state IN ${waiting}`,
    ),
    dropOldest: st(
      'drop_oldest',
      `UPDATE ${s}.jobs j SET state = 'cancelled', finished_at = $3, lease_until = NULL
       WHERE j.id IN (SELECT id FROM ${s}.jobs WHERE queue = $1 AND state IN ${waiting}
         ORDER BY created_at, id LIMIT $2 FOR UPDATE)
       RETURNING ${EVENT_COLS}`,
    ),
    /** Locks the concurrency-capped queues among $1 so running counts read after it are exact. */
    lockConcurrency: st(
      'lock_concurrency',
      `SELECT name FROM ${s}.queues WHERE name = ANY($1::text[]) AND concurrency IS NOT NULL ORDER BY name FOR UPDATE`,
    ),
    claim: st(
      'claim',
      `WITH q AS (
         SELECT u.name, u.ord,
           CASE WHEN c.concurrency IS NULL THEN $3::int
             ELSE greatest(0, c.concurrency - (SELECT count(*) FROM ${s}.jobs r WHERE r.queue = u.name AND r.state = 'running'))::int
           END AS room
         FROM unnest($1::text[]) WITH ORDINALITY AS u(name, ord)
         LEFT JOIN ${s}.queues c ON c.name = u.name
         WHERE NOT coalesce(c.paused, false)
       ), picked AS (
         SELECT x.id, row_number() OVER (ORDER BY q.ord, x.priority DESC, x.run_at, x.id) AS rn
         FROM q CROSS JOIN LATERAL (
           SELECT j.id, j.priority, j.run_at FROM ${s}.jobs j
           WHERE j.queue = q.name AND j.state IN ${waiting}
             AND (j.state = 'queued' OR j.run_at <= $4::timestamptz)
             AND (j.deadline IS NULL OR j.deadline >= $4::timestamptz)
             AND ($2::text[] IS NULL OR j.type = ANY($2::text[]))
           ORDER BY j.priority DESC, j.run_at, j.id
           LIMIT least($3::int, q.room)
           FOR UPDATE SKIP LOCKED
         ) x
         ORDER BY rn
         LIMIT $3::int
       )
       UPDATE ${s}.jobs j SET state = 'running', attempts = j.attempts + 1, worker_id = $5, lease_until = $6,
         started_at = $4
       FROM picked WHERE j.id = picked.id
       RETURNING j.*, picked.rn`,
    ),
    renew: st(
      'renew',
      `UPDATE ${s}.jobs SET lease_until = $3
       WHERE id = ANY($1::text[]) AND state = 'running' AND worker_id = $2 RETURNING id`,
    ),
    complete: st(
      'complete',
      `UPDATE ${s}.jobs j SET state = 'completed', result = u.result, finished_at = $5, lease_until = NULL
       FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[]) AS u(id, worker_id, attempt, result)
       WHERE j.id = u.id AND j.state = 'running' AND j.worker_id = u.worker_id AND j.attempts = u.attempt
       RETURNING ${EVENT_COLS}`,
    ),
    fail: st(
      'fail',
      `UPDATE ${s}.jobs j SET
         state = CASE WHEN u.retry_at IS NULL THEN 'failed' ELSE 'retrying' END,
         run_at = coalesce(u.retry_at, j.run_at),
         errors = j.errors || jsonb_build_array(u.error),
         finished_at = CASE WHEN u.retry_at IS NULL THEN $6::timestamptz ELSE NULL END,
         lease_until = NULL
       FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::timestamptz[])
         AS u(id, worker_id, attempt, error, retry_at)
       WHERE j.id = u.id AND j.state = 'running' AND j.worker_id = u.worker_id AND j.attempts = u.attempt
       RETURNING ${EVENT_COLS}, u.error->>'message' AS message`,
    ),
    progress: st(
      'progress',
      `UPDATE ${s}.jobs j SET progress = $3 WHERE j.id = $1 AND j.state = 'running' AND j.worker_id = $2
       RETURNING ${EVENT_COLS}`,
    ),
    cancel: st(
      'cancel',
      `UPDATE ${s}.jobs SET state = 'cancelled', finished_at = $2, lease_until = NULL
       WHERE id = $1 AND state IN ${stateList(statesInto('cancelled'))} RETURNING *`,
    ),
    retry: st(
      'retry',
      `UPDATE ${s}.jobs SET state = 'queued', attempts = 0, run_at = $2, finished_at = NULL, lease_until = NULL,
         worker_id = NULL, result = NULL, progress = NULL
       WHERE id = $1 AND state IN ${stateList(FINAL_STATES)}
       RETURNING *`,
    ),
    delete: st(
      'delete',
      `DELETE FROM ${s}.jobs j WHERE j.id = $1 AND ($2 OR j.state IN ${stateList(FINAL_STATES)}) RETURNING ${EVENT_COLS}`,
    ),
  };
}

/** The job statements' type. */
export type JobStatements = ReturnType<typeof jobStatements>;
