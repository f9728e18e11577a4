-- Gantry SQLite schema, version 4: `jobs.delete_on_complete` (0 or 1). A job enqueued with
-- deleteOnComplete is deleted, not kept as completed, when its handler returns. Existing jobs
-- keep their rows (0). The column is appended, so `JOB_COLUMNS` lists it last.
ALTER TABLE jobs ADD COLUMN delete_on_complete INTEGER NOT NULL DEFAULT 0;
