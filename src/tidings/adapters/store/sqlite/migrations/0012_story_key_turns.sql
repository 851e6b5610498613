-- Tidings schema v12 (SQLite, issue #13): the table PostgreSQL's concurrent
-- writers take turns on for a story's keys (postgres/migrations/0012). SQLite has
-- one writer, which already makes them take turns: the table stays empty here,
-- kept so both engines share one schema version.
CREATE TABLE story_key_turns (
    key INTEGER PRIMARY KEY,
    seen_at INTEGER NOT NULL
);
