-- Tidings schema v17 (PostgreSQL, issue #15), mirroring sqlite/migrations/0017:
-- the tombstones of deleted entries still in their feed's document, the index that
-- deleting an entry's states needs, and the lease of periodic jobs (the cleanup).
CREATE TABLE entry_tombstones (
    feed_id BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (feed_id, guid)
);

CREATE INDEX entry_states_entry ON entry_states (entry_id);

CREATE TABLE maintenance (
    name TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT
);
