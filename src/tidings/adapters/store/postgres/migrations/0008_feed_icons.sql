-- Tidings migration 0008 (PostgreSQL, issue #12), mirroring sqlite/migrations/0008:
-- feed icons, one row per feed whose icon we tried to fetch.
CREATE TABLE feed_icons (
    feed_id BIGINT PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    data BYTEA,
    content_type TEXT,
    source_url TEXT,
    fetched_at BIGINT NOT NULL,
    error TEXT
);
