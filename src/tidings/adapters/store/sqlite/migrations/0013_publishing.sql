-- Tidings schema v13 (SQLite, issue #14): publishing.
--
-- publish_tokens: each user's secret token, the path segment of their private
-- feeds (/published/<token>/...). It is kept as issued, not hashed: the Settings
-- page and `tidings publish url` show it again, and whoever reads this database
-- reads every story it would open anyway. A user has one; revoking writes a new
-- one over it, and the old one answers 404 at once.
CREATE TABLE publish_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- publications: a selection of one user's stories that an administrator made
-- public at /p/<slug> (the page, and its feeds). full_text 0: excerpts only.
CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    selection TEXT NOT NULL,
    full_text INTEGER NOT NULL DEFAULT 0,
    title TEXT,
    created_at INTEGER NOT NULL
);
