-- Gantry PostgreSQL schema, version 4.
-- A job enqueued with deleteOnComplete is deleted, not kept as completed, when its handler
-- returns. Existing jobs keep their rows (false). A constant default adds the column without
-- rewriting the table.
ALTER TABLE jobs ADD COLUMN delete_on_complete boolean NOT NULL DEFAULT false;
