-- Tidings migration 0008 (SQLite, issue #12): feed icons.
-- One row per feed whose icon we tried to fetch: the image bytes (only ever a
-- PNG, JPEG, GIF, WebP or ICO, by its magic bytes), the type it was sniffed as,
-- the URL it came from, when we last tried, and why that try failed (NULL: it
-- worked). A failed refetch keeps the bytes an earlier try stored. The row goes
-- with its feed.
CREATE TABLE feed_icons (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    data BLOB,
    content_type TEXT,
    source_url TEXT,
    fetched_at INTEGER NOT NULL,
    error TEXT
);
