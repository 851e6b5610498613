-- Tidings schema v1 (SQLite). Times are integer seconds since the epoch, UTC.
-- Feeds and entries are shared rows; subscriptions, categories and entry
-- state belong to a user.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    link TEXT,
    description TEXT,
    language TEXT,
    icon TEXT,
    hub TEXT,
    etag TEXT,
    last_modified TEXT,
    last_fetched_at INTEGER,
    last_success_at INTEGER,
    last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    next_check_at INTEGER NOT NULL,
    interval_override INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0,
    full_text TEXT NOT NULL DEFAULT 'auto',
    entries_per_week REAL NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_check_at) WHERE disabled = 0;

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE subscriptions (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    title TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, feed_id)
);
CREATE INDEX subscriptions_feed ON subscriptions (feed_id);

CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    title TEXT,
    link TEXT,
    author TEXT,
    published_at INTEGER,
    updated_at INTEGER,
    summary TEXT,
    content TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    enclosures TEXT NOT NULL DEFAULT '[]',
    image TEXT,
    comments TEXT,
    language TEXT,
    content_hash TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    sort_at INTEGER NOT NULL,
    UNIQUE (feed_id, guid)
);
CREATE INDEX entries_river ON entries (sort_at DESC, id DESC);
CREATE INDEX entries_feed ON entries (feed_id, sort_at DESC, id DESC);

CREATE TABLE entry_states (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    read_at INTEGER,
    starred_at INTEGER,
    PRIMARY KEY (user_id, entry_id)
);
CREATE INDEX entry_states_starred ON entry_states (user_id, starred) WHERE starred = 1;
