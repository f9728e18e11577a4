-- Gantry PostgreSQL schema, version 5.
-- jobs_id_tail: the last 8 characters of each job id, so a short id (`…1a2b3c4d`, as the
-- dashboard and `gantry dev` print ids) finds its job without a scan of every id. The id never
-- changes, so updates (claims, completions) leave this index alone and stay HOT-eligible as
-- before; only inserts and deletes of jobs touch it. On a large table, building it holds writes
-- for the time of one index build (migrations run in one transaction).
CREATE INDEX jobs_id_tail ON jobs (right(id, 8));
