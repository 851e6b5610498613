-- Tidings schema v2 (PostgreSQL, issue #6), mirroring sqlite/migrations/0002:
-- accounts, unread counters, full-text search (a weighted tsvector).

-- Accounts. A session row holds only the SHA-256 of the cookie's token.
ALTER TABLE users ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Unread counters: unread(user, feed) = feeds.n_entries - subscriptions.n_read,
-- kept by triggers so that a page view never counts a million rows.
ALTER TABLE feeds ADD COLUMN n_entries BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN n_read BIGINT NOT NULL DEFAULT 0;

UPDATE feeds SET n_entries = (SELECT COUNT(*) FROM entries e WHERE e.feed_id = feeds.id);
UPDATE subscriptions SET n_read = (
    SELECT COUNT(*) FROM entry_states st JOIN entries e ON e.id = st.entry_id
    WHERE st.user_id = subscriptions.user_id AND e.feed_id = subscriptions.feed_id AND st.read = 1
);

-- Full-text search. entry_search holds plain text (written by the store's
-- refresh path, see postgres/search.py) and the feed; `document` weighs the
-- title ('A') above the text ('B'). The 'simple' configuration (no stemming,
-- no stop words) matches SQLite's unicode61 tokenizer.
CREATE TABLE entry_search (
    id BIGINT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    feed TEXT NOT NULL DEFAULT '',
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')
    ) STORED
);
CREATE INDEX entry_search_document ON entry_search USING gin (document);

CREATE FUNCTION entries_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE feeds SET n_entries = n_entries + 1 WHERE id = NEW.feed_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER entries_counted AFTER INSERT ON entries
FOR EACH ROW EXECUTE FUNCTION entries_counted();

-- Before the row goes: its states and search text are removed while the entry
-- can still be found, so the read counters stay exact under cascades too.
CREATE FUNCTION entries_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM entry_states WHERE entry_id = OLD.id;
    DELETE FROM entry_search WHERE id = OLD.id;
    UPDATE feeds SET n_entries = n_entries - 1 WHERE id = OLD.feed_id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER entries_uncounted BEFORE DELETE ON entries
FOR EACH ROW EXECUTE FUNCTION entries_uncounted();

CREATE FUNCTION entry_states_read_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions SET n_read = n_read + 1
    WHERE user_id = NEW.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = NEW.entry_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER entry_states_read_insert AFTER INSERT ON entry_states
FOR EACH ROW WHEN (NEW.read = 1) EXECUTE FUNCTION entry_states_read_insert();

CREATE FUNCTION entry_states_read_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions SET n_read = n_read + (CASE WHEN NEW.read = 1 THEN 1 ELSE -1 END)
    WHERE user_id = NEW.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = NEW.entry_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER entry_states_read_update AFTER UPDATE OF read ON entry_states
FOR EACH ROW WHEN (NEW.read IS DISTINCT FROM OLD.read) EXECUTE FUNCTION entry_states_read_update();

CREATE FUNCTION entry_states_read_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions SET n_read = n_read - 1
    WHERE user_id = OLD.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = OLD.entry_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER entry_states_read_delete AFTER DELETE ON entry_states
FOR EACH ROW WHEN (OLD.read = 1) EXECUTE FUNCTION entry_states_read_delete();

CREATE FUNCTION subscriptions_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscriptions SET n_read = (
        SELECT COUNT(*) FROM entry_states st JOIN entries e ON e.id = st.entry_id
        WHERE st.user_id = NEW.user_id AND e.feed_id = NEW.feed_id AND st.read = 1
    )
    WHERE user_id = NEW.user_id AND feed_id = NEW.feed_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER subscriptions_counted AFTER INSERT ON subscriptions
FOR EACH ROW EXECUTE FUNCTION subscriptions_counted();

-- Search filters candidates by feed: id -> feed_id without touching the wide rows.
CREATE INDEX entries_id_feed ON entries (id, feed_id);

-- Entries stored before this migration are indexed with their HTML as text.
INSERT INTO entry_search (id, title, body, feed)
SELECT id, COALESCE(title, ''), COALESCE(content, summary, ''), 'f' || feed_id FROM entries;
