-- Gantry SQLite schema, version 2: a cheaper event log. Every change writes one events row,
-- so the pages that row touches are paid on every claim and completion:
--
-- * `packed` holds a change's events as runs that share everything but the job id and
--   attempt (a batch of 100 claims is one run), a fifth of the JSON array `body` held. Rows
--   written from version 2 on keep `body` as '[]': a gantry of version 1 still running on the
--   file during an upgrade reads no events from them (and still its wake-ups), not garbage.
-- * `seq` is a plain rowid, not AUTOINCREMENT, which wrote the sqlite_sequence page in every
--   transaction. Seqs still only grow: retention never deletes the newest row (see the
--   `eventsPrune` statement), and a new rowid is one more than the largest.
-- * No index on `at`: it was one more page per transaction, for a retention delete that runs
--   every few minutes and may as well scan the table.
CREATE TABLE events_v2 (
  seq    INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  origin TEXT NOT NULL,
  wake   TEXT,
  body   TEXT NOT NULL,
  packed TEXT
);
INSERT INTO events_v2 (seq, at, origin, wake, body) SELECT seq, at, origin, wake, body FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
