-- Tidings schema v9 (PostgreSQL, issue #12), mirroring sqlite/migrations/0009:
-- API passwords (hashes only) for the Fever and Google Reader APIs.
ALTER TABLE users ADD COLUMN api_password_hash TEXT;
ALTER TABLE users ADD COLUMN fever_key_hash TEXT;
ALTER TABLE users ADD COLUMN api_generation BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_fever_key ON users (fever_key_hash) WHERE fever_key_hash IS NOT NULL;

-- Secrets Tidings makes for itself once (the Fever key HMAC's key), by name.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The entries a user's rules hid (the sync APIs' item count, #12).
CREATE INDEX entry_states_hidden ON entry_states (user_id) WHERE hidden = 1;
