-- Tidings migration 0014 (SQLite, issue #15): where each user stopped playing an
-- entry's audio or video, in milliseconds, and when it was saved. The row goes
-- with its user or its entry.
CREATE TABLE playback_positions (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    position_ms INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, entry_id)
);
CREATE INDEX playback_positions_entry ON playback_positions (entry_id);
