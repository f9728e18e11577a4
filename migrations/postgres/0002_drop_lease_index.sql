-- Gantry PostgreSQL schema, version 2.
-- jobs_running (queue, lease_until) WHERE state = 'running' already serves the lease reaper: it
-- holds only running jobs, so scanning it whole is cheap. The second index over the same rows
-- cost every claim one more index insert.
DROP INDEX IF EXISTS jobs_lease;
