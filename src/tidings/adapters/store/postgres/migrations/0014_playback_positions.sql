-- Tidings migration 0014 (PostgreSQL, issue #15), mirroring sqlite/migrations/0014:
-- where each user stopped playing an entry's audio or video, in milliseconds.
CREATE TABLE playback_positions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    position_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, entry_id)
);
CREATE INDEX playback_positions_entry ON playback_positions (entry_id);
