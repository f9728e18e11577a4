-- Gantry PostgreSQL schema, version 6.
-- jobs.retries: one entry per operator retry (`{at, from, attempts}`, the time as ISO text), so
-- the attempt timeline shows where attempt numbers start again. Existing jobs have none. A
-- constant default adds the column without rewriting the table.
ALTER TABLE jobs ADD COLUMN retries jsonb NOT NULL DEFAULT '[]';
