-- Tidings schema v9 (SQLite, issue #12): API passwords, for the Fever and Google Reader APIs.
-- (0008 is reserved for another change of issue 12.)
--
-- A user's API password is separate from the web password. The store keeps its
-- argon2 hash (Google Reader's ClientLogin) and Fever's key, md5("name:password"),
-- only as an HMAC-SHA256 under the server secret below: the key is a password
-- equivalent, and its keyed hash can be looked up by index but not replayed.
-- api_generation grows with every change: an API token issued before it is dead.
ALTER TABLE users ADD COLUMN api_password_hash TEXT;
ALTER TABLE users ADD COLUMN fever_key_hash TEXT;
ALTER TABLE users ADD COLUMN api_generation INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_fever_key ON users (fever_key_hash) WHERE fever_key_hash IS NOT NULL;

-- Secrets Tidings makes for itself once (the Fever key HMAC's key), by name.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The entries a user's rules hid, found without reading every state of the user:
-- the sync APIs' item count is the feeds' counters less these (#12).
CREATE INDEX entry_states_hidden ON entry_states (user_id) WHERE hidden = 1;
