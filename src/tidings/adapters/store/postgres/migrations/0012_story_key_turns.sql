-- Tidings schema v12 (PostgreSQL, issue #13), mirroring sqlite/migrations/0012:
-- one row a story key, whose row lock makes two writes of one story's copies take
-- turns. A write upserts its new entries' keys here first, sorted (so no two
-- writes deadlock), and holds their rows until it commits: the second write of a
-- copy then sees the first's story keys. Row locks live in the rows, not in the
-- server's lock table, which a transaction's thousands of keys would overflow as
-- advisory locks ("out of shared memory"). Pruned with story_keys.
CREATE TABLE story_key_turns (
    key BIGINT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
