-- Gantry PostgreSQL schema, version 3.
-- The fenced writes (complete, fail, release, renew, progress) filter on state = 'running', so
-- the planner could serve them from jobs_running: a whole scan of the running jobs (and of every
-- dead entry left since the last vacuum) hash-joined with the batch. Planned while a queue was
-- still small, that plan stayed cached and made one completion of 500 jobs take 50-130 ms in a
-- long drain. With lease_until in the predicate, only statements that say so (the concurrency cap
-- count, the lease reaper) use the index; the fenced writes look jobs up by id.
DROP INDEX IF EXISTS jobs_running;
CREATE INDEX jobs_running ON jobs (queue, lease_until) WHERE state = 'running' AND lease_until IS NOT NULL;
