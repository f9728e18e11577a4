-- Gantry SQLite schema, version 3: `events.types`, the event types a row holds, each with a
-- comma on both sides (`,job.started,job.completed,`). A process tailing the rows of another
-- reads and unpacks `packed` only when one of its subscribers takes one of these types: a
-- worker takes cancellations and wake-ups, not the job.started and job.completed events that
-- make up nearly every row of a drain. Rows written before version 3 have NULL here and are
-- read as before.
ALTER TABLE events ADD COLUMN types TEXT;
