-- Gantry SQLite schema, version 6: a queue's defaults. `timeout_ms` and `max_attempts` are what
-- a job enqueued to the queue takes when it names none; `weight` is what a worker that names
-- none uses for the queue. NULL: none (Gantry's defaults). Existing queues have none.
ALTER TABLE queues ADD COLUMN timeout_ms INTEGER;
ALTER TABLE queues ADD COLUMN max_attempts INTEGER;
ALTER TABLE queues ADD COLUMN weight INTEGER;
