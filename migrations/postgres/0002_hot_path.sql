-- Gantry PostgreSQL schema, version 2.
-- jobs_running (queue, lease_until) WHERE state = 'running' already serves the lease reaper: it
-- holds only running jobs, so scanning it whole is cheap. The second index over the same rows
-- cost every claim one more index insert.
DROP INDEX IF EXISTS jobs_lease;
-- A statement's events row for hundreds of jobs is tens of kB: pglz compressing it was about 4 %
-- of the server's time in a drain; lz4 is several times cheaper. A server built without lz4
-- keeps pglz (this is only about speed).
DO $$
BEGIN
  ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
  NULL;
END
$$;
