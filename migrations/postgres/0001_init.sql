-- Gantry PostgreSQL schema, version 1.
-- Runs with search_path set to the Gantry schema, inside one transaction under an advisory lock.
-- Times are timestamptz written from the application's clock (never now()), so tests can drive them.

CREATE TABLE jobs (
  id text COLLATE "C" PRIMARY KEY,
  type text NOT NULL,
  queue text NOT NULL,
  payload jsonb NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  state text NOT NULL CHECK (state IN ('scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled', 'expired')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  backoff jsonb NOT NULL,
  timeout_ms bigint,
  run_at timestamptz NOT NULL,
  deadline timestamptz,
  unique_key text,
  unique_window_ms bigint,
  progress jsonb,
  result jsonb,
  errors jsonb NOT NULL DEFAULT '[]',
  worker_id text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  tags text[] NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}'
);

-- The claim path: waiting jobs of a queue in dispatch order.
CREATE INDEX jobs_claim ON jobs (queue, priority DESC, run_at, id) WHERE state IN ('queued', 'scheduled', 'retrying');
-- At most one live job per unique key; the window after the end is checked on enqueue.
CREATE UNIQUE INDEX jobs_unique_live ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'queued', 'running', 'retrying');
CREATE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL;
-- Running jobs: queue concurrency caps and the lease reaper.
CREATE INDEX jobs_running ON jobs (queue, lease_until) WHERE state = 'running';
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state = 'running';
-- Promotion of due scheduled/retrying jobs and deadline expiry.
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('scheduled', 'retrying');
CREATE INDEX jobs_deadline ON jobs (deadline) WHERE deadline IS NOT NULL AND state IN ('scheduled', 'queued', 'retrying');
-- Retention.
CREATE INDEX jobs_finished ON jobs (queue, state, finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE queues (
  name text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false,
  concurrency integer,
  size_cap integer,
  size_policy text NOT NULL DEFAULT 'reject' CHECK (size_policy IN ('reject', 'drop-oldest'))
);

CREATE TABLE workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  queues jsonb NOT NULL,
  concurrency integer NOT NULL,
  running text[] NOT NULL DEFAULT '{}',
  kind text,
  started_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);

CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE schedules (
  name text PRIMARY KEY,
  spec text NOT NULL,
  timezone text,
  template jsonb NOT NULL,
  paused boolean NOT NULL DEFAULT false,
  misfire text NOT NULL,
  last_fire_at timestamptz,
  next_fire_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Every event, for replay after a past seq (SSE Last-Event-ID); live delivery is NOTIFY.
CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  at bigint NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX events_at ON events USING brin (at);
