-- Tidings schema v10 (PostgreSQL, issue #12), mirroring sqlite/migrations/0010:
-- Google Reader API tokens (their SHA-256 only).
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
