/**
 * Named statements for maintenance, listing, queues, workers, leader leases, schedules and
 * events. Every value is a parameter.
 */
import { FINISHED_BUCKET_MS, MAX_SUFFIX_MATCHES, SHORT_ID_LENGTH } from '../../core/constants.js';
import { EXPIRABLE_STATES, FINAL_STATES, WAITING_STATES, statesInto } from '../../core/job.js';
import { PROMOTABLE_STATES } from '../../core/promote.js';
import type { Statement } from './connection.js';
import { ARRAY_SHAPE, EVENT_FIELDS, notifyEventsSql } from './sql-events.js';
import { stateList } from './statements-jobs.js';

/** Maintenance and operator statements for one schema `s` (quoted), named with prefix `p`. */
export function adminStatements(s: string, p: string) {
  const st = (name: string, text: string): Statement => ({ name: `${p}_${name}`, text });
  const promotable = statesInto('queued').filter((x) => WAITING_STATES.includes(x));
  const waiting = stateList(WAITING_STATES);
  return {
    promote: st(
      'promote',
      `UPDATE ${s}.jobs j SET state = 'queued'
       WHERE j.id IN (SELECT id FROM ${s}.jobs WHERE state IN ${stateList(promotable)} AND run_at <= $1
         ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING ${EVENT_FIELDS}`,
    ),
    expire: st(
      'expire',
      `UPDATE ${s}.jobs j SET state = 'expired', finished_at = $1, lease_until = NULL
       WHERE j.id IN (SELECT id FROM ${s}.jobs WHERE deadline IS NOT NULL AND deadline < $1
         AND state IN ${stateList(EXPIRABLE_STATES)} ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING ${EVENT_FIELDS}`,
    ),
    leaseExpired: st(
      'lease_expired',
      `SELECT * FROM ${s}.jobs WHERE state = 'running' AND lease_until < $1 ORDER BY lease_until LIMIT $2`,
    ),
    pruneAge: st(
      'prune_age',
      `DELETE FROM ${s}.jobs j USING unnest($1::text[], $2::timestamptz[]) AS u(state, before)
       WHERE j.state = u.state AND j.state IN ${stateList(FINAL_STATES)} AND j.finished_at < u.before`,
    ),
    pruneCount: st(
      'prune_count',
      `DELETE FROM ${s}.jobs WHERE id IN (
         SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY queue, state ORDER BY finished_at DESC, id DESC) AS rn
           FROM ${s}.jobs WHERE state IN ${stateList(FINAL_STATES)}) x
         WHERE x.rn > $1)`,
    ),
    pruneEvents: st('prune_events', `DELETE FROM ${s}.events WHERE at < $1`),
    /** Runs a delayed or retrying job now. */
    promoteOne: st(
      'promote_one',
      `UPDATE ${s}.jobs SET state = 'queued', run_at = $2
       WHERE id = $1 AND state IN ${stateList(PROMOTABLE_STATES)} RETURNING *`,
    ),
    /** Completed and failed jobs per queue and minute: range scans of `jobs_finished` (queue, state, finished_at). */
    finishedPerMinute: st(
      'finished_per_minute',
      `SELECT queue, state, (floor(extract(epoch FROM finished_at) * 1000 / ${FINISHED_BUCKET_MS}) * ${FINISHED_BUCKET_MS})::bigint AS minute,
         count(*)::int AS n
       FROM ${s}.jobs
       WHERE queue = ANY($1::text[]) AND state IN ('completed', 'failed') AND finished_at >= $2
       GROUP BY 1, 2, 3`,
    ),
    /**
     * Per queue, the earliest run_at among its waiting jobs. `jobs_claim` (queue, priority DESC,
     * run_at, id) holds every waiting state ordered by priority first, so the walk reads the
     * first entry of each priority present, never the whole backlog.
     */
    oldestWaiting: st(
      'oldest_waiting',
      `SELECT q.queue, (
         WITH RECURSIVE band(priority) AS (
           (SELECT j.priority FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
             ORDER BY j.priority DESC LIMIT 1)
           UNION ALL
           SELECT (SELECT j.priority FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
             AND j.priority < band.priority ORDER BY j.priority DESC LIMIT 1)
           FROM band WHERE band.priority IS NOT NULL)
         SELECT min((SELECT j.run_at FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
           AND j.priority = band.priority ORDER BY j.priority DESC, j.run_at LIMIT 1))
         FROM band WHERE band.priority IS NOT NULL) AS run_at
       FROM unnest($1::text[]) AS q(queue)`,
    ),
    /** Jobs whose id ends with $2, found through `jobs_id_tail` (migration 0005) by its last characters $1. */
    jobsBySuffix: st(
      'jobs_by_suffix',
      `SELECT * FROM ${s}.jobs WHERE right(id, ${SHORT_ID_LENGTH}) = $1 AND right(id, length($2)) = $2
       LIMIT ${MAX_SUFFIX_MATCHES}`,
    ),
    list: st(
      'list',
      `SELECT * FROM ${s}.jobs
       WHERE ($1::text[] IS NULL OR state = ANY($1::text[]))
         AND ($2::text[] IS NULL OR queue = ANY($2::text[]))
         AND ($3::text[] IS NULL OR type = ANY($3::text[]))
         AND ($4::text[] IS NULL OR tags @> $4::text[])
         AND ($5::text[] IS NULL OR id = ANY($5::text[]))
         AND ($6::text IS NULL OR id < $6)
       ORDER BY id DESC LIMIT $7`,
    ),
    count: st(
      'count',
      `SELECT queue, state, count(*)::int AS n FROM ${s}.jobs
       WHERE ($1::text[] IS NULL OR queue = ANY($1::text[])) GROUP BY queue, state`,
    ),
    queueNames: st('queue_names', `SELECT name FROM ${s}.queues`),
    queueSettings: st('queue_settings', `SELECT * FROM ${s}.queues ORDER BY name`),
    /** Makes a queue's settings row with the defaults when it has none. */
    queueEnsure: st('queue_ensure', `INSERT INTO ${s}.queues (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`),
    /**
     * Deletes a queue's settings only while it holds no job; answers its job count and whether
     * it went. A job enqueued by a transaction that commits meanwhile is not seen: its queue then
     * shows again, with default settings.
     */
    queueDelete: st(
      'queue_delete',
      `WITH held AS (SELECT count(*)::int AS n FROM ${s}.jobs WHERE queue = $1),
         gone AS (DELETE FROM ${s}.queues WHERE name = $1 AND (SELECT n FROM held) = 0 RETURNING name)
       SELECT (SELECT n FROM held) AS jobs, EXISTS (SELECT 1 FROM gone) AS deleted`,
    ),
    /** A queue's settings row, locked until the transaction ends. */
    queueLock: st('queue_lock', `SELECT * FROM ${s}.queues WHERE name = $1 FOR UPDATE`),
    queueUpsert: st(
      'queue_upsert',
      `INSERT INTO ${s}.queues AS c (name, paused, concurrency, size_cap, size_policy, timeout_ms, max_attempts, weight)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET paused = $2, concurrency = $3, size_cap = $4, size_policy = $5,
         timeout_ms = $6, max_attempts = $7, weight = $8`,
    ),

    workerUpsert: st(
      'worker_upsert',
      `INSERT INTO ${s}.workers AS w (id, host, pid, queues, concurrency, running, kind, started_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET host = $2, pid = $3, queues = $4, concurrency = $5, running = $6, kind = $7,
         last_seen_at = $9
       RETURNING (xmax = 0) AS inserted`,
    ),
    workerRemove: st('worker_remove', `DELETE FROM ${s}.workers WHERE id = $1 RETURNING id`),
    workersList: st('workers_list', `SELECT * FROM ${s}.workers ORDER BY id`),
    workersPrune: st('workers_prune', `DELETE FROM ${s}.workers WHERE last_seen_at < $1 RETURNING id`),
    leaderElect: st(
      'leader_elect',
      `INSERT INTO ${s}.leases AS l (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
       WHERE l.holder = $2 OR l.expires_at <= $4
       RETURNING holder`,
    ),
    leaderResign: st('leader_resign', `DELETE FROM ${s}.leases WHERE name = $1 AND holder = $2`),
    scheduleUpsert: st(
      'schedule_upsert',
      `INSERT INTO ${s}.schedules AS c (name, spec, timezone, template, paused, misfire, last_fire_at, next_fire_at,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO UPDATE SET spec = $2, timezone = $3, template = $4, paused = $5, misfire = $6,
         last_fire_at = $7, next_fire_at = $8, updated_at = $10
       RETURNING *`,
    ),
    scheduleGet: st('schedule_get', `SELECT * FROM ${s}.schedules WHERE name = $1`),
    schedulesList: st('schedules_list', `SELECT * FROM ${s}.schedules ORDER BY name`),
    scheduleDelete: st('schedule_delete', `DELETE FROM ${s}.schedules WHERE name = $1 RETURNING name`),
    scheduleFireClaim: st(
      'schedule_mark',
      `UPDATE ${s}.schedules SET last_fire_at = $3, next_fire_at = $4, updated_at = $5
       WHERE name = $1 AND last_fire_at IS NOT DISTINCT FROM $2::timestamptz RETURNING name`,
    ),
    /** Stores events and NOTIFYs them (one batch, see `notifyEventsSql`) on $2, then wakes the queues $4 on $3. */
    emit: st(
      'emit',
      `WITH ins AS (
         INSERT INTO ${s}.events (at, data)
         SELECT max((u.d->>'at')::bigint), jsonb_agg(u.d ORDER BY u.o) FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(d, o)
         HAVING count(*) > 0
         RETURNING seq, data
       )
       SELECT ${notifyEventsSql('$2', ARRAY_SHAPE, 'ins')} AS e,
         (SELECT count(pg_notify($3, w)) FROM unnest($4::text[]) AS w) AS w`,
    ),
    wake: st('wake', `SELECT count(pg_notify($1, w)) AS w FROM unnest($2::text[]) AS w`),
    /** The events row of one notified batch. */
    eventsRow: st('events_row', `SELECT e.seq::text AS seq, e.data FROM ${s}.events e WHERE e.seq = $1::bigint`),
    replay: st(
      'replay',
      `SELECT e.seq::text AS seq, e.data FROM ${s}.events e WHERE e.seq >= $1::bigint ORDER BY e.seq LIMIT $2`,
    ),
  };
}

/** The admin statements' type. */
export type AdminStatements = ReturnType<typeof adminStatements>;
