-- Tidings schema v4 (SQLite, issue #4): WebSub subscriptions.
-- One row per feed that advertises a hub and that we asked the hub to push.
-- callback_id is the unguessable last segment of the callback URL; secret is
-- the HMAC key the hub signs pushes with (kept as is: it must verify them).
CREATE TABLE websub_subscriptions (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    callback_id TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'requested',  -- requested | active | denied | failed
    requested_at INTEGER NOT NULL,
    lease_seconds INTEGER,
    expires_at INTEGER,
    last_push_at INTEGER,
    last_error TEXT
);
