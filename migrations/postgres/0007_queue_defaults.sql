-- Gantry PostgreSQL schema, version 7: a queue's defaults. timeout_ms and max_attempts are what
-- a job enqueued to the queue takes when it names none; weight is what a worker that names none
-- uses for the queue. NULL: none (Gantry's defaults). Nullable columns without a default are
-- added without rewriting the table.
ALTER TABLE queues ADD COLUMN timeout_ms bigint;
ALTER TABLE queues ADD COLUMN max_attempts integer;
ALTER TABLE queues ADD COLUMN weight integer;
