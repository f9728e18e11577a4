/**
 * Named statements of the job lifecycle (enqueue, claim, complete, fail, …). Every value is a
 * parameter; state lists come from the core's constants (inlined so the partial indexes apply).
 */
import { WAKING_STATES } from '../../core/events.js';
import { JOB_FIELDS as JOB_RECORD } from '../../core/job-record.js';
import { FINAL_STATES, LIVE_STATES, WAITING_STATES, statesInto, type JobState } from '../../core/job.js';
import { batchKeySql, batchValueSql } from './batch-columns.js';
import type { Statement } from './connection.js';
import {
  AFTER_COLUMNS,
  CLAIMED_COLUMNS,
  INSERT_COLUMNS,
  insertParamSql,
  insertUnnestSql,
  insertValueSql,
} from './job-columns.js';
import {
  EVENT_COLS,
  EVENT_FIELDS,
  MAX_EVENT_TEXT,
  changedEventsSql,
  eventTypeFor,
  eventTypeOf,
  type ChangedType,
} from './sql-events.js';

/** A SQL list literal of core states, e.g. `('queued','scheduled')`. */
export function stateList(states: readonly JobState[]): string {
  return `(${states.map((s) => `'${s}'`).join(', ')})`;
}

/**
 * What a claim returns: the jobs as ONE JSON array of arrays of `CLAIMED_COLUMNS` (the columns it
 * did not just set), in claim order. Parsing one JSON text is several times cheaper for the
 * worker than hundreds of rows of columns.
 */
const CLAIMED_JSON = `(SELECT json_agg(json_build_array(${CLAIMED_COLUMNS.map((c) => `c.${c}`).join(', ')}) ORDER BY c.rn)
  FROM changed c)`;

/**
 * The ids a batch statement's CTE `changed` holds, or NULL when it holds every one of the $1
 * ids (the usual case): the caller has them already.
 */
const IDS_UNLESS_ALL = `CASE WHEN (SELECT count(*) FROM changed) = cardinality($1::text[]) THEN NULL
  ELSE ARRAY(SELECT c.id FROM changed c) END`;

/**
 * The value stored in column `name` of a row `v` of the insert: the job's own, except for the
 * fields it left to the defaults, which take its queue's from CTE `qd` when the queue has one
 * (the core's `applyQueueDefaults`: a timeout left to the defaults is the only null one;
 * attempts left to them say so in `v.attempts_defaulted`).
 */
function insertedValueSql(name: string): string {
  const fromQueue = (column: string) => `(SELECT q.${column} FROM qd q WHERE q.name = v.queue)`;
  if (name === JOB_RECORD.timeoutMs.column) return `coalesce(v.${name}, ${fromQueue(name)})`;
  if (name === JOB_RECORD.maxAttempts.column) {
    return `CASE WHEN v.attempts_defaulted THEN coalesce(${fromQueue(name)}, v.${name}) ELSE v.${name} END`;
  }
  return `v.${name}`;
}

/**
 * Inserts jobs with their events and returns one row: `ids`, the ids inserted as an array, or
 * NULL when every row was (the usual case: the caller has the rest, and one array is cheaper to
 * send and read than a row per job), and `defaults`, the defaults of the batch's queues that
 * have any (`[name, timeout_ms, max_attempts]`, NULL when none has), which the rows took.
 * Values come as `job-columns.ts` sends them; tags as JSON, most jobs having none; after them
 * the guard, time, channels and whether each job left its attempts to the defaults. With the
 * guard it inserts nothing when a queue has a size cap (`capped`). `conflicts`: skip ids
 * already stored, instead of failing on them.
 */
function insertSql(s: string, { conflicts }: { conflicts: boolean }): string {
  const n = AFTER_COLUMNS;
  const [guard, at, channel, wake] = [n, n + 1, n + 2, n + 3].map((i) => `$${i}`);
  const defaulted = { param: n + 4, type: 'boolean', name: 'attempts_defaulted' };
  const enqueued = changedEventsSql(s, { at: at!, channel: channel!, type: eventTypeFor('queued') });
  const names = INSERT_COLUMNS.map((c) => c.name);
  return `WITH capped AS (
      SELECT EXISTS (SELECT 1 FROM ${s}.queues WHERE name = ANY(${insertParamSql('queue')}) AND size_cap IS NOT NULL) AS yes
    ), qd AS (
      SELECT name, timeout_ms, max_attempts FROM ${s}.queues
      WHERE name = ANY(${insertParamSql('queue')}) AND (timeout_ms IS NOT NULL OR max_attempts IS NOT NULL)
    ), changed AS (
      INSERT INTO ${s}.jobs AS j (${names.join(', ')})
      SELECT ${names.map(insertedValueSql).join(', ')}
      FROM (SELECT ${names.map((name, i) => `${insertValueSql(i)} AS ${name}`).join(', ')},
          ${batchValueSql(defaulted.param, defaulted.type, defaulted.name)} AS ${defaulted.name}
        FROM ${insertUnnestSql([defaulted])}) v
      WHERE NOT (${guard}::boolean AND (SELECT yes FROM capped))
      ${conflicts ? 'ON CONFLICT (id) DO NOTHING' : ''}
      RETURNING ${EVENT_COLS}
    ), ${enqueued.store}
    SELECT f.yes AS capped, ${IDS_UNLESS_ALL} AS ids,
      (SELECT json_agg(json_build_array(q.name, q.timeout_ms, q.max_attempts)) FROM qd q) AS defaults,
      ${enqueued.notify} AS notified,
      ${wakeSql(wake!)} AS woken
    FROM capped f`;
}

/**
 * Wakes, on `channel`, the workers of the queues where CTE `changed` put jobs in a state that
 * wakes them (the core's `WAKING_STATES`; its `wakesWorkers` decides the same for events).
 */
function wakeSql(channel: string): string {
  return `(SELECT count(pg_notify(${channel}, x.queue))
    FROM (SELECT DISTINCT queue FROM changed WHERE state IN ${stateList(WAKING_STATES)}) x)`;
}

/** The fence of a batch write: the row's worker and attempt, batch columns `$worker` and `$attempt`. */
function fencedOn(worker: number, attempt: number): string {
  return `AND j.worker_id = ${batchKeySql(worker, 'text', 'worker_id')}
    AND j.attempts = ${batchKeySql(attempt, 'int', 'attempt')}`;
}

/** Job statements for one schema `s` (quoted), named with prefix `p`. */
export function jobStatements(s: string, p: string) {
  const st = (name: string, text: string): Statement => ({ name: `${p}_${name}`, text });
  const waiting = stateList(WAITING_STATES);
  const live = stateList(LIVE_STATES);
  /** The store and notify fragments of a statement's events (see `changedEventsSql`). */
  const events = (at: string, channel: string, type: ChangedType, extra?: Record<string, string>, order?: string) =>
    changedEventsSql(s, { at, channel, type, extra, order });
  const dropped = events('$4', '$5', eventTypeFor('cancelled'));
  const started = events('$8', '$9', eventTypeFor('running'), {}, 'rn');
  // A kept job's event carries its result when it fits (`$8`, the core's `resultFitsEvent`).
  const completed = events('$6', '$7', eventTypeFor('completed'), {
    result: 'CASE WHEN c.fits THEN c.result END',
    resultTruncated: 'CASE WHEN NOT c.fits THEN true END',
  });
  const completedGone = events('$5', '$6', eventTypeFor('completed'), { result: 'c.result' });
  const failed = events('$7', '$8', { perRow: eventTypeOf('c') }, { error: 'c.err' });
  const released = events('$4', '$5', eventTypeFor('queued'));
  const progressed = events('$4', '$5', 'job.progress', { progress: 'c.prog' });
  // The event carries a shortened message so the NOTIFY payload stays small.
  const progressSql = `CASE WHEN $3::jsonb ? 'message' THEN jsonb_set($3::jsonb, '{message}',
    to_jsonb(left($3::jsonb->>'message', ${MAX_EVENT_TEXT}))) ELSE $3::jsonb END`;
  return {
    /** Insert with its events (see `insertSql`); for jobs whose ids may exist already. */
    insert: st('insert', insertSql(s, { conflicts: true })),
    /** The same for ids generated here (`NewJob.freshId`): no conflict check needed. */
    insertFresh: st('insert_fresh', insertSql(s, { conflicts: false })),
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
      `WITH changed AS (
         UPDATE ${s}.jobs j SET state = 'cancelled', finished_at = $3, lease_until = NULL
         WHERE j.id IN (SELECT id FROM ${s}.jobs WHERE queue = $1 AND state IN ${waiting}
           ORDER BY created_at, id LIMIT $2 FOR UPDATE)
         RETURNING ${EVENT_COLS}
       ), ${dropped.store}
       SELECT c.id, ${dropped.notify} AS notified FROM changed c`,
    ),
    /** Locks the concurrency-capped queues among $1 so running counts read after it are exact. */
    lockConcurrency: st(
      'lock_concurrency',
      `SELECT name FROM ${s}.queues WHERE name = ANY($1::text[]) AND concurrency IS NOT NULL ORDER BY name FOR UPDATE`,
    ),
    /**
     * Claims and emits `job.started`. With $7 (guard) it claims nothing when one of the queues
     * has a concurrency cap (`capped` says so): those claims lock the queue rows first.
     * $10 (prefetch) more jobs may come from uncapped queues; capped ones give at most $3 in all.
     */
    claim: st(
      'claim',
      `WITH capped AS (
         SELECT EXISTS (SELECT 1 FROM ${s}.queues WHERE name = ANY($1::text[]) AND concurrency IS NOT NULL) AS yes
       ), q AS (
         SELECT u.name, u.ord, c.concurrency IS NOT NULL AS capped,
           CASE WHEN c.concurrency IS NULL THEN $3::int + $10::int
             ELSE least($3::int, greatest(0, c.concurrency
               - (SELECT count(*) FROM ${s}.jobs r
                 WHERE r.queue = u.name AND r.state = 'running' AND r.lease_until IS NOT NULL)))::int
           END AS room
         FROM unnest($1::text[]) WITH ORDINALITY AS u(name, ord)
         LEFT JOIN ${s}.queues c ON c.name = u.name
         WHERE NOT coalesce(c.paused, false) AND NOT ($7::boolean AND (SELECT yes FROM capped))
       ), candidates AS (
         SELECT x.id, q.capped, row_number() OVER (ORDER BY q.ord, x.priority DESC, x.run_at, x.id) AS rn
         FROM q CROSS JOIN LATERAL (
           SELECT j.id, j.priority, j.run_at FROM ${s}.jobs j
           WHERE j.queue = q.name AND j.state IN ${waiting}
             AND (j.state = 'queued' OR j.run_at <= $4::timestamptz)
             AND (j.deadline IS NULL OR j.deadline >= $4::timestamptz)
             AND ($2::text[] IS NULL OR j.type = ANY($2::text[]))
           ORDER BY j.priority DESC, j.run_at, j.id
           LIMIT q.room
           FOR UPDATE SKIP LOCKED
         ) x
         ORDER BY rn
         LIMIT $3::int + $10::int
       ), picked AS (
         SELECT k.id, k.rn FROM (
           SELECT c.id, c.rn, c.capped, count(*) FILTER (WHERE c.capped) OVER (ORDER BY c.rn) AS capped_n
           FROM candidates c
         ) k WHERE NOT k.capped OR k.capped_n <= $3::int
       ), changed AS (
         UPDATE ${s}.jobs j SET state = 'running', attempts = j.attempts + 1, worker_id = $5, lease_until = $6,
           started_at = $4
         FROM picked WHERE j.id = picked.id
         RETURNING j.*, picked.rn
       ), ${started.store}
       SELECT f.yes AS capped, ${CLAIMED_JSON} AS jobs, ${started.notify} AS notified FROM capped f`,
    ),
    renew: st(
      'renew',
      `UPDATE ${s}.jobs SET lease_until = $3
       WHERE id = ANY($1::text[]) AND state = 'running' AND worker_id = $2 RETURNING id`,
    ),
    /**
     * Fenced completion; one row: the ids completed (`done`), or NULL when all were. Worker,
     * attempt, result and whether the result fits in the event ($8) are batch columns
     * (`batch-columns.ts`): one value when all share it.
     */
    complete: st(
      'complete',
      `WITH changed AS (
         UPDATE ${s}.jobs j SET state = 'completed', result = ${batchValueSql(4, 'jsonb', 'result')}, finished_at = $5,
           lease_until = NULL
         FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $8::boolean[])
           AS u(id, worker_id, attempt, result, fits)
         WHERE j.id = u.id AND j.state = 'running' ${fencedOn(2, 3)}
         RETURNING ${EVENT_COLS}, j.result, ${batchValueSql(8, 'boolean', 'fits')} AS fits
       ), ${completed.store}
       SELECT ${IDS_UNLESS_ALL} AS done,
         ${completed.notify} AS notified`,
    ),
    /**
     * Fenced completion of jobs enqueued with `deleteOnComplete`: their rows are deleted, so
     * their `job.completed` events carry the results. Answers as `complete` does.
     */
    completeDelete: st(
      'complete_delete',
      `WITH changed AS (
         DELETE FROM ${s}.jobs j
         USING unnest($1::text[], $2::text[], $3::int[], $4::jsonb[]) AS u(id, worker_id, attempt, result)
         WHERE j.id = u.id AND j.state = 'running' AND j.delete_on_complete ${fencedOn(2, 3)}
         RETURNING j.id, j.type, j.queue, 'completed'::text AS state, j.attempts, j.worker_id,
           ${batchValueSql(4, 'jsonb', 'result')} AS result
       ), ${completedGone.store}
       SELECT ${IDS_UNLESS_ALL} AS done,
         ${completedGone.notify} AS notified`,
    ),
    fail: st(
      'fail',
      `WITH changed AS (
         UPDATE ${s}.jobs j SET
           state = CASE WHEN u.retry_at IS NULL THEN 'failed' ELSE 'retrying' END,
           run_at = coalesce(u.retry_at, j.run_at),
           errors = j.errors || jsonb_build_array(u.error),
           finished_at = CASE WHEN u.retry_at IS NULL THEN $6::timestamptz ELSE NULL END,
           lease_until = NULL
         FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::timestamptz[])
           AS u(id, worker_id, attempt, error, retry_at)
         WHERE j.id = u.id AND j.state = 'running' ${fencedOn(2, 3)}
         RETURNING ${EVENT_COLS}, left(u.error->>'message', ${MAX_EVENT_TEXT}) AS err
       ), ${failed.store}
       SELECT c.id, ${failed.notify} AS notified FROM changed c`,
    ),
    /** Fenced hand-back of never-started claims: queued again, the attempt undone; wakes workers. */
    release: st(
      'release',
      `WITH changed AS (
         UPDATE ${s}.jobs j SET state = 'queued', attempts = j.attempts - 1, worker_id = NULL, lease_until = NULL,
           started_at = NULL
         FROM unnest($1::text[], $2::text[], $3::int[]) AS u(id, worker_id, attempt)
         WHERE j.id = u.id AND j.state = 'running' ${fencedOn(2, 3)}
         RETURNING ${EVENT_COLS}
       ), ${released.store}
       SELECT c.id, ${released.notify} AS notified,
         ${wakeSql('$6')} AS woken
       FROM changed c`,
    ),
    progress: st(
      'progress',
      `WITH changed AS (
         UPDATE ${s}.jobs j SET progress = $3 WHERE j.id = $1 AND j.state = 'running' AND j.worker_id = $2
         RETURNING ${EVENT_COLS}, ${progressSql} AS prog
       ), ${progressed.store}
       SELECT c.id, ${progressed.notify} AS notified FROM changed c`,
    ),
    cancel: st(
      'cancel',
      `UPDATE ${s}.jobs SET state = 'cancelled', finished_at = $2, lease_until = NULL
       WHERE id = $1 AND state IN ${stateList(statesInto('cancelled'))} RETURNING *`,
    ),
    retry: st(
      'retry',
      `UPDATE ${s}.jobs SET state = 'queued', attempts = 0, run_at = $2, started_at = NULL, finished_at = NULL,
         lease_until = NULL, worker_id = NULL, result = NULL, progress = NULL,
         retries = retries || jsonb_build_array(jsonb_build_object('at', $2::timestamptz, 'from', state,
           'attempts', attempts))
       WHERE id = $1 AND state IN ${stateList(FINAL_STATES)}
       RETURNING *`,
    ),
    delete: st(
      'delete',
      `DELETE FROM ${s}.jobs j WHERE j.id = $1 AND ($2 OR j.state IN ${stateList(FINAL_STATES)}) RETURNING ${EVENT_FIELDS}`,
    ),
  };
}

/** The job statements' type. */
export type JobStatements = ReturnType<typeof jobStatements>;
