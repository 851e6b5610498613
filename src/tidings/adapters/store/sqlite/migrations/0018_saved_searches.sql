-- Tidings migration 0018 (SQLite, issue #15): each user's saved searches, listed
-- in the sidebar. name_key is the name casefolded (by Python, the same on both
-- engines), so a user has one "Tide" whatever its case. The rows go with their user.
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
