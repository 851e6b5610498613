-- Tidings schema v5 (SQLite, issue #4): story keys as an append-only log.
-- Keys are random 64-bit digests: with the key leading a WITHOUT ROWID primary key
-- and two more indexes, each new entry's keys cost three random B-tree inserts, and
-- a cold refresh of 2,000 feeds spent half its writer time there. Now rows append
-- in arrival order and only the key is indexed. No foreign key: keys of deleted
-- entries wait for the pruning of old keys, and the candidate query ignores a key
-- older than the entry it finds (an id used again after a delete).
CREATE TABLE story_keys_log (
    key INTEGER NOT NULL,
    entry_id INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
INSERT INTO story_keys_log (key, entry_id, seen_at)
    SELECT key, entry_id, seen_at FROM story_keys ORDER BY seen_at, entry_id;
DROP TABLE story_keys;
ALTER TABLE story_keys_log RENAME TO story_keys;
CREATE INDEX story_keys_key ON story_keys (key);
