-- Gantry SQLite schema, version 1. Times are integer milliseconds since the epoch; JSON
-- values are stored as text. Partial indexes keep each hot query (claim, promote, reap,
-- expire) on a small index that only holds the rows it can touch.

CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  queue            TEXT NOT NULL,
  payload          TEXT NOT NULL,
  priority         INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  backoff          TEXT NOT NULL,
  timeout_ms       INTEGER,
  run_at           INTEGER NOT NULL,
  deadline         INTEGER,
  unique_key       TEXT,
  unique_window_ms INTEGER,
  progress         TEXT,
  result           TEXT,
  errors           TEXT NOT NULL DEFAULT '[]',
  worker_id        TEXT,
  lease_until      INTEGER,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  tags             TEXT NOT NULL DEFAULT '[]',
  metadata         TEXT NOT NULL DEFAULT '{}'
);

-- Every index but the primary key is partial: a row sits only in the index of its state, so
-- a transition touches few index entries (an index over every row's state doubled the cost of
-- a claim). Counts by state are summed from these indexes.
-- Claim order within a queue, covering the deadline check.
CREATE INDEX jobs_claim ON jobs (queue, priority DESC, run_at, id, deadline) WHERE state = 'queued';
-- Delayed and retrying jobs that become due, per queue.
CREATE INDEX jobs_due ON jobs (queue, run_at, state) WHERE state IN ('scheduled', 'retrying');
-- Running jobs per queue (concurrency caps) and their leases (reaping).
CREATE INDEX jobs_lease ON jobs (queue, lease_until) WHERE state = 'running';
-- Deadlines of jobs that have not started.
CREATE INDEX jobs_deadline ON jobs (deadline) WHERE deadline IS NOT NULL AND state IN ('scheduled', 'queued', 'retrying');
-- Finished jobs (final states) per queue and state: counts and retention.
CREATE INDEX jobs_finished ON jobs (queue, state, finished_at) WHERE finished_at IS NOT NULL;
-- Unique keys (several finished jobs may share one over time).
CREATE INDEX jobs_unique ON jobs (unique_key) WHERE unique_key IS NOT NULL;

CREATE TABLE queues (
  name        TEXT PRIMARY KEY,
  paused      INTEGER NOT NULL DEFAULT 0,
  concurrency INTEGER,
  size_cap    INTEGER,
  size_policy TEXT NOT NULL DEFAULT 'reject'
);

CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  queues       TEXT NOT NULL,
  concurrency  INTEGER NOT NULL,
  running      TEXT NOT NULL,
  kind         TEXT,
  started_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);

-- The event log: one row per change (transaction), `body` the JSON array of its events, so a
-- batch of claims or completions costs one row. `origin` is the writing backend instance (a
-- process tailing the log skips what it delivered itself); `wake` lists the queues that got
-- new work, so idle workers elsewhere are woken without parsing bodies.
CREATE TABLE events (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  origin TEXT NOT NULL,
  wake   TEXT,
  body   TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);

CREATE TABLE leases (
  name   TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until  INTEGER NOT NULL
);

CREATE TABLE schedules (
  name         TEXT PRIMARY KEY,
  spec         TEXT NOT NULL,
  timezone     TEXT,
  template     TEXT NOT NULL,
  paused       INTEGER NOT NULL DEFAULT 0,
  misfire      TEXT NOT NULL,
  last_fire_at INTEGER,
  next_fire_at INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
