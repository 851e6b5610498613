-- Tidings schema v17 (SQLite, issue #15; 13-15 are other branches of #15, 16 the feed index of #13): retention of old entries.
--
-- A deleted entry's guid stays as a tombstone while its feed's document still
-- carries it: the refresh reads tombstones with the stored entries' hashes, so an
-- entry deleted by the cleanup but still in the feed is not stored (and announced)
-- again as new. A refresh of the whole document forgets the tombstones it no
-- longer carries; a WebSub push (possibly a part of the feed) does not.
CREATE TABLE entry_tombstones (
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (feed_id, guid)
) WITHOUT ROWID;

-- Deleting an entry deletes its states (the entries_uncounted trigger): without an
-- index on entry_id that is a scan of every user's states per entry deleted.
CREATE INDEX entry_states_entry ON entry_states (entry_id);

-- Periodic jobs every worker may run, run by one at a time and once per interval
-- across all processes (the cleanup): whoever updates the row first holds it.
CREATE TABLE maintenance (
    name TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER
) WITHOUT ROWID;
