-- Gantry SQLite schema, version 2: events are stored packed. `packed` holds a change's events
-- as runs that share everything but the job id and attempt (a batch of 100 claims is one
-- run), a fifth of the JSON array `body` held, so each change writes fewer pages. Rows
-- written from version 2 on keep `body` as '[]': a gantry of version 1 still running on the
-- file during an upgrade reads no events from them (and still its wake-ups), not garbage.
ALTER TABLE events ADD COLUMN packed TEXT;
