-- Tidings schema v4 (PostgreSQL, issue #4), mirroring sqlite/migrations/0004:
-- WebSub subscriptions.
CREATE TABLE websub_subscriptions (
    feed_id BIGINT PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    hub TEXT NOT NULL,
    topic TEXT NOT NULL,
    callback_id TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'requested',  -- requested | active | denied | failed
    requested_at BIGINT NOT NULL,
    lease_seconds BIGINT,
    expires_at BIGINT,
    last_push_at BIGINT,
    last_error TEXT
);
