/**
 * Every SQL statement the engine runs, named, parameterised, prepared once per connection.
 * State lists are spelled from the core's constants (never from input) so the partial
 * indexes of the migration, which name the same literal states, can serve the queries.
 */
import type Database from 'better-sqlite3';
import { FINISHED_BUCKET_MS, MAX_SUFFIX_MATCHES } from '../../core/constants.js';
import { EXPIRABLE_STATES, LIVE_STATES, WAITING_STATES, statesInto, type JobState } from '../../core/job.js';
import { PROMOTABLE_STATES } from '../../core/promote.js';
import type { Db } from './connection.js';
import { CLAIMED_JSON, INSERT_COLUMNS, jobSelect } from './job-columns.js';

const list = (states: readonly JobState[]): string => states.map((s) => `'${s}'`).join(', ');
const LIVE = list(LIVE_STATES);
const EXPIRABLE = list(EXPIRABLE_STATES);
/** Waiting states that become due at `run_at`: `'scheduled', 'retrying'`, as the migration's `jobs_due` index. */
const DELAYED = list(WAITING_STATES.filter((s) => s !== 'queued'));
const IN_JSON = (param: string): string => `(SELECT value FROM json_each(${param}))`;
/** The fields of a changed job that its event carries (`jobEvent`'s input), by their record names. */
const EVENT_COLUMNS = 'id, type, queue, state, attempts, worker_id AS workerId';
/**
 * A bound LIMIT or OFFSET. Not a bare `LIMIT @limit`: SQLite (3.53 as bundled) then compiles
 * the statement again on every run, which cost a claim more than claiming ten jobs (docs/benchmarks.md, "Measurements behind the design").
 * An expression of the parameter is evaluated at run time and keeps the prepared plan.
 */
const LIMIT = (param: string): string => `CAST(${param} AS INTEGER)`;

/**
 * What a completion returns per job: `id type queue` as one text (none of the three may hold a
 * space), read with `split`: five columns cost better-sqlite3 more per job than one; the
 * attempt and worker are the item's own, which the update was fenced on.
 */
const COMPLETED = "jobs.id || ' ' || jobs.type || ' ' || jobs.queue";

// By rowid, which the claim index holds: each row is then found without a lookup of its id.
const CLAIM = (types: boolean): string => `
  UPDATE jobs SET state = 'running', attempts = attempts + 1, worker_id = @worker, lease_until = @lease, started_at = @now
  WHERE rowid IN (
    SELECT rowid FROM jobs
    WHERE queue = @queue AND state = 'queued' AND (deadline IS NULL OR deadline >= @now)
      ${types ? `AND type IN ${IN_JSON('@types')}` : ''}
    ORDER BY priority DESC, run_at, id LIMIT ${LIMIT('@limit')})
  RETURNING ${CLAIMED_JSON}`;

/** The SQL text of each named statement. */
export const SQL = {
  jobGet: `SELECT ${jobSelect()} FROM jobs WHERE id = ?`,
  jobInsert: `INSERT INTO jobs (${INSERT_COLUMNS.join(', ')})
    VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (id) DO NOTHING`,
  uniqueHolder: `SELECT id FROM jobs WHERE unique_key = @key AND id != @id
    AND (state IN (${LIVE}) OR (unique_window_ms IS NOT NULL AND finished_at + unique_window_ms > @now)) LIMIT 1`,
  waitingCount: `SELECT (SELECT count(*) FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued')
    + (SELECT count(*) FROM jobs INDEXED BY jobs_due WHERE queue = @queue AND state IN (${DELAYED}))`,
  oldestWaiting: `SELECT ${jobSelect()} FROM jobs WHERE id IN (
      SELECT id FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
      UNION ALL SELECT id FROM jobs INDEXED BY jobs_due WHERE queue = @queue AND state IN (${DELAYED}))
    ORDER BY created_at, id LIMIT ${LIMIT('@limit')}`,
  runningCount: "SELECT count(*) FROM jobs INDEXED BY jobs_lease WHERE queue = ? AND state = 'running'",
  counts: `SELECT queue, 'queued' AS state, count(*) AS n FROM jobs INDEXED BY jobs_claim WHERE state = 'queued'
      GROUP BY queue
    UNION ALL SELECT queue, state, count(*) FROM jobs INDEXED BY jobs_due WHERE state IN (${DELAYED})
      GROUP BY queue, state
    UNION ALL SELECT queue, 'running', count(*) FROM jobs INDEXED BY jobs_lease WHERE state = 'running'
      GROUP BY queue
    UNION ALL SELECT queue, state, count(*) FROM jobs INDEXED BY jobs_finished WHERE finished_at IS NOT NULL
      GROUP BY queue, state`,

  promoteQueue: `UPDATE jobs INDEXED BY jobs_due SET state = 'queued'
    WHERE queue = @queue AND state IN (${DELAYED}) AND run_at <= @now
    RETURNING ${EVENT_COLUMNS}`,
  promoteAll: `UPDATE jobs SET state = 'queued' WHERE id IN (
    SELECT id FROM queues CROSS JOIN jobs INDEXED BY jobs_due
    WHERE jobs.queue = queues.name AND state IN (${DELAYED}) AND run_at <= @now LIMIT ${LIMIT('@limit')})
    RETURNING ${EVENT_COLUMNS}`,
  claim: CLAIM(false),
  claimTypes: CLAIM(true),
  renew: "UPDATE jobs SET lease_until = @lease WHERE id = @id AND state = 'running' AND worker_id = @worker",
  complete: `UPDATE jobs SET state = 'completed', result = i.result, finished_at = @now, lease_until = NULL
    FROM (SELECT value ->> 'id' AS id, value ->> 'workerId' AS wid, value ->> 'attempt' AS att,
            value -> 'result' AS result FROM json_each(@items)) AS i
    WHERE jobs.id = i.id AND jobs.state = 'running' AND jobs.worker_id = i.wid AND jobs.attempts = i.att
    RETURNING ${COMPLETED}`,
  /** The same for a batch of one worker and attempt without results (NULL): no JSON objects to read. */
  completeShared: `UPDATE jobs SET state = 'completed', result = NULL, finished_at = @now, lease_until = NULL
    WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 'running' AND worker_id = @worker
      AND attempts = @attempt
    RETURNING ${COMPLETED}`,
  /** Fenced completion of a job enqueued with `deleteOnComplete`: its row goes. */
  completeDelete: `DELETE FROM jobs
    WHERE id = @id AND state = 'running' AND delete_on_complete = 1 AND worker_id = @worker AND attempts = @attempt
    RETURNING ${COMPLETED}`,
  fail: `UPDATE jobs SET
      state = CASE WHEN @retry_at IS NULL THEN 'failed' ELSE 'retrying' END,
      run_at = COALESCE(@retry_at, run_at),
      finished_at = CASE WHEN @retry_at IS NULL THEN @now ELSE NULL END,
      lease_until = NULL,
      errors = json_insert(errors, '$[#]', json(@error))
    WHERE id = @id AND state = 'running' AND worker_id = @worker AND attempts = @attempt
    RETURNING ${EVENT_COLUMNS}`,
  release: `UPDATE jobs SET state = 'queued', attempts = attempts - 1, worker_id = NULL, lease_until = NULL,
      started_at = NULL
    WHERE id = @id AND state = 'running' AND worker_id = @worker AND attempts = @attempt
    RETURNING ${EVENT_COLUMNS}`,
  progress: `UPDATE jobs SET progress = @progress WHERE id = @id AND state = 'running' AND worker_id = @worker
    RETURNING ${EVENT_COLUMNS}`,

  finish: 'UPDATE jobs SET state = @state, finished_at = @now, lease_until = NULL WHERE id = @id',
  /** A retry also records itself (`JobRetry`: when, from which state, after how many attempts). */
  retry: `UPDATE jobs SET state = 'queued', attempts = 0, run_at = @now, started_at = NULL, finished_at = NULL,
      worker_id = NULL, lease_until = NULL, result = NULL, progress = NULL,
      retries = json_insert(retries, '$[#]', json_object('at', @now, 'from', state, 'attempts', attempts))
    WHERE id = @id`,
  jobDelete: 'DELETE FROM jobs WHERE id = ?',
  expire: `UPDATE jobs SET state = 'expired', finished_at = @now WHERE id IN (
      SELECT id FROM jobs INDEXED BY jobs_deadline WHERE deadline IS NOT NULL AND state IN (${EXPIRABLE})
        AND deadline < @now ORDER BY deadline LIMIT ${LIMIT('@limit')})
    RETURNING ${EVENT_COLUMNS}`,
  leaseExpired: `SELECT ${jobSelect()} FROM queues CROSS JOIN jobs INDEXED BY jobs_lease
    WHERE jobs.queue = queues.name AND state = 'running' AND lease_until < @now LIMIT ${LIMIT('@limit')}`,
  pruneFinished: `DELETE FROM jobs INDEXED BY jobs_finished
    WHERE queue = @queue AND state = @state AND finished_at IS NOT NULL AND finished_at < @before`,
  pruneExcess: `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_finished
    WHERE queue = @queue AND state = @state AND finished_at IS NOT NULL
    ORDER BY finished_at DESC LIMIT -1 OFFSET ${LIMIT('@keep')})`,
  jobsList: `SELECT ${jobSelect()} FROM jobs
    WHERE (@cursor IS NULL OR id < @cursor)
      AND (@states IS NULL OR state IN ${IN_JSON('@states')})
      AND (@queues IS NULL OR queue IN ${IN_JSON('@queues')})
      AND (@types IS NULL OR type IN ${IN_JSON('@types')})
      AND (@ids IS NULL OR id IN ${IN_JSON('@ids')})
      AND (@tags IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(@tags) AS w
        WHERE w.value NOT IN (SELECT value FROM json_each(jobs.tags))))
    ORDER BY id DESC LIMIT ${LIMIT('@limit')}`,

  /** Runs a delayed or retrying job now. */
  promoteOne: `UPDATE jobs SET state = 'queued', run_at = @now WHERE id = @id AND state IN (${list(PROMOTABLE_STATES)})`,
  /** Completed and failed jobs of a queue per minute: two range scans of `jobs_finished`. */
  finishedPerMinute: `SELECT (finished_at / ${FINISHED_BUCKET_MS}) * ${FINISHED_BUCKET_MS} AS minute, state, count(*) AS n
    FROM jobs INDEXED BY jobs_finished
    WHERE queue = @queue AND state IN ('completed', 'failed') AND finished_at IS NOT NULL AND finished_at >= @since
    GROUP BY minute, state`,
  /**
   * The earliest `run_at` of the queue's queued jobs. `jobs_claim` orders them by priority first,
   * so the walk visits each priority present once (the first entry of each band), never the
   * whole backlog.
   */
  oldestQueued: `WITH RECURSIVE band(priority) AS (
      SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        ORDER BY priority DESC LIMIT 1)
      UNION ALL
      SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        AND priority < band.priority ORDER BY priority DESC LIMIT 1)
      FROM band WHERE band.priority IS NOT NULL)
    SELECT min((SELECT run_at FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        AND priority = band.priority ORDER BY priority DESC, run_at LIMIT 1))
    FROM band WHERE band.priority IS NOT NULL`,
  /** The earliest delayed or retrying job of the queue: the first entry of `jobs_due`. */
  oldestDelayed: `SELECT run_at FROM jobs INDEXED BY jobs_due
    WHERE queue = @queue AND state IN (${DELAYED}) ORDER BY run_at LIMIT 1`,
  /**
   * Jobs whose id ends with @suffix. No index is kept for it: an index on the id's tail made
   * every delete on completion update one more B-tree, so the inner query scans the id index
   * alone (covering) and reads only the rows it names (docs/benchmarks.md).
   */
  jobsBySuffix: `SELECT ${jobSelect()} FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE substr(id, -length(@suffix)) = @suffix LIMIT ${MAX_SUFFIX_MATCHES})`,

  queueEnsure: 'INSERT OR IGNORE INTO queues (name) VALUES (?)',
  queueGet: 'SELECT * FROM queues WHERE name = ?',
  queuesIn: `SELECT * FROM queues WHERE name IN ${IN_JSON('?')}`,
  queuesAll: 'SELECT * FROM queues ORDER BY name',
  queueDelete: 'DELETE FROM queues WHERE name = ?',
  queueUpsert: `INSERT INTO queues (name, paused, concurrency, size_cap, size_policy, timeout_ms, max_attempts, weight)
    VALUES (@name, @paused, @concurrency, @size_cap, @size_policy, @timeout_ms, @max_attempts, @weight)
    ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, concurrency = excluded.concurrency,
      size_cap = excluded.size_cap, size_policy = excluded.size_policy, timeout_ms = excluded.timeout_ms,
      max_attempts = excluded.max_attempts, weight = excluded.weight`,
  /** The job defaults of those queues among a JSON list of names that have any. */
  queueJobDefaults: `SELECT name, timeout_ms, max_attempts FROM queues
    WHERE name IN ${IN_JSON('?')} AND (timeout_ms IS NOT NULL OR max_attempts IS NOT NULL)`,

  eventsInsert: `INSERT INTO events (at, origin, wake, body, packed, types)
    VALUES (@at, @origin, @wake, '[]', @packed, @types)`,
  eventsMaxSeq: 'SELECT COALESCE(max(seq), 0) FROM events',
  eventsFrom: `SELECT seq, body, packed FROM events WHERE seq >= ? ORDER BY seq LIMIT ${LIMIT('?')}`,
  eventsRemote: `SELECT seq, wake, types, CASE WHEN @bodies THEN body END AS body,
      CASE WHEN @bodies THEN packed END AS packed
    FROM events
    WHERE seq > @after AND origin != @origin ORDER BY seq LIMIT ${LIMIT('@limit')}`,
  // Never the newest row: seqs are rowids (migration 0002), which must not be handed out again.
  eventsPrune: 'DELETE FROM events WHERE at < ? AND seq < (SELECT max(seq) FROM events)',
  dataVersion: 'PRAGMA data_version',

  workerExists: 'SELECT 1 FROM workers WHERE id = ?',
  workerUpsert: `INSERT INTO workers (id, host, pid, queues, concurrency, running, kind, started_at, last_seen_at)
    VALUES (@id, @host, @pid, @queues, @concurrency, @running, @kind, @started_at, @last_seen_at)
    ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, queues = excluded.queues,
      concurrency = excluded.concurrency, running = excluded.running, kind = excluded.kind,
      last_seen_at = excluded.last_seen_at`,
  workerDelete: 'DELETE FROM workers WHERE id = ? RETURNING id',
  workersAll: 'SELECT * FROM workers ORDER BY id',
  workersStale: 'DELETE FROM workers WHERE last_seen_at < ? RETURNING id',

  leaseGet: 'SELECT holder, until FROM leases WHERE name = ?',
  leaseSet: `INSERT INTO leases (name, holder, until) VALUES (@name, @holder, @until)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until`,
  leaseDelete: 'DELETE FROM leases WHERE name = ? AND holder = ?',

  scheduleGet: 'SELECT * FROM schedules WHERE name = ?',
  schedulesAll: 'SELECT * FROM schedules ORDER BY name',
  scheduleUpsert: `INSERT INTO schedules (name, spec, timezone, template, paused, misfire, last_fire_at, next_fire_at,
      created_at, updated_at)
    VALUES (@name, @spec, @timezone, @template, @paused, @misfire, @last_fire_at, @next_fire_at, @created_at, @updated_at)
    ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, timezone = excluded.timezone, template = excluded.template,
      paused = excluded.paused, misfire = excluded.misfire, last_fire_at = excluded.last_fire_at,
      next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at`,
  scheduleDelete: 'DELETE FROM schedules WHERE name = ?',
  scheduleFireClaim: `UPDATE schedules SET last_fire_at = @last, next_fire_at = @next, updated_at = @now
    WHERE name = @name AND last_fire_at IS @expected`,
} as const;

/** The prepared statements, by name. */
export type Statements = { [K in keyof typeof SQL]: Database.Statement };

/** Statements that return whole job rows (`JOB_COLUMNS`), read in raw mode: arrays cost a fraction of objects. */
const RAW_JOB_STATEMENTS = ['jobGet', 'oldestWaiting', 'leaseExpired', 'jobsList', 'jobsBySuffix'] as const;

/** Statements that return one value per row, read in pluck mode. */
const PLUCKED_STATEMENTS = [
  'claim',
  'claimTypes',
  'complete',
  'completeShared',
  'completeDelete',
  'oldestQueued',
  'oldestDelayed',
] as const;

/** Prepares every statement on `db` (after the schema exists). */
export function prepareStatements(db: Db): Statements {
  const out = {} as Record<string, Database.Statement>;
  for (const [name, sql] of Object.entries(SQL)) out[name] = db.prepare(sql);
  for (const name of PLUCKED_STATEMENTS) out[name]!.pluck(true);
  for (const name of RAW_JOB_STATEMENTS) out[name]!.raw(true);
  return out as Statements;
}

/** States a job may be cancelled from (the core's state machine). */
export const CANCELLABLE: readonly JobState[] = statesInto('cancelled');
