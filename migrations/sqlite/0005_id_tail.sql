-- Gantry SQLite schema, version 5: `jobs_id_tail`, the last 8 characters of each job id, so a
-- short id (`…1a2b3c4d`, as the dashboard and `gantry dev` print ids) finds its job without a
-- scan of every id. The id never changes, so no claim, completion or other update touches this
-- index; only an insert or a delete of a job does.
CREATE INDEX jobs_id_tail ON jobs (substr(id, -8));
