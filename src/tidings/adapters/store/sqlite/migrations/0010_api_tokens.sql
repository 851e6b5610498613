-- Tidings schema v10 (SQLite, issue #12): Google Reader API tokens.
--
-- ClientLogin hands an app a random token (32 bytes, URL-safe: never = & + % or a
-- space); only its SHA-256 is kept. A token names the user's API generation when
-- issued: once the API password changes (the generation grows) it is dead, and
-- set_api_password deletes it. Tokens don't expire otherwise: Capy keeps its token
-- as the account's password, and FreshRSS's and Miniflux's never expire either.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
