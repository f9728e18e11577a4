-- Gantry SQLite schema, version 5: `jobs.retries`, one entry per operator retry (`{at, from,
-- attempts}`, the time as ms), so the attempt timeline shows where attempt numbers start again.
-- Existing jobs have none.
ALTER TABLE jobs ADD COLUMN retries TEXT NOT NULL DEFAULT '[]';
