-- Tidings schema v5 (PostgreSQL, issue #4), mirroring sqlite/migrations/0005:
-- story keys as an append-only log, only the key indexed, no foreign key.
CREATE TABLE story_keys_log (
    key BIGINT NOT NULL,
    entry_id BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
INSERT INTO story_keys_log (key, entry_id, seen_at)
    SELECT key, entry_id, seen_at FROM story_keys ORDER BY seen_at, entry_id;
DROP TABLE story_keys;
ALTER TABLE story_keys_log RENAME TO story_keys;
CREATE INDEX story_keys_key ON story_keys (key);
