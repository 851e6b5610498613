-- Tidings schema v2 (SQLite, issue #6): accounts, unread counters, full-text search.

-- Accounts. A session row holds only the SHA-256 of the cookie's token.
ALTER TABLE users ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- Unread counters: unread(user, feed) = feeds.n_entries - subscriptions.n_read,
-- kept by triggers so that a page view never counts a million rows.
ALTER TABLE feeds ADD COLUMN n_entries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN n_read INTEGER NOT NULL DEFAULT 0;

UPDATE feeds SET n_entries = (SELECT COUNT(*) FROM entries e WHERE e.feed_id = feeds.id);
UPDATE subscriptions SET n_read = (
    SELECT COUNT(*) FROM entry_states st JOIN entries e ON e.id = st.entry_id
    WHERE st.user_id = subscriptions.user_id AND e.feed_id = subscriptions.feed_id AND st.read = 1
);

CREATE TRIGGER entries_counted AFTER INSERT ON entries BEGIN
    UPDATE feeds SET n_entries = n_entries + 1 WHERE id = NEW.feed_id;
END;

-- Before the row goes: its states and search text are removed while the entry
-- can still be found, so the read counters stay exact under cascades too.
CREATE TRIGGER entries_uncounted BEFORE DELETE ON entries BEGIN
    DELETE FROM entry_states WHERE entry_id = OLD.id;
    DELETE FROM entry_search WHERE id = OLD.id;
    UPDATE feeds SET n_entries = n_entries - 1 WHERE id = OLD.feed_id;
END;

CREATE TRIGGER entry_states_read_insert AFTER INSERT ON entry_states WHEN NEW.read = 1 BEGIN
    UPDATE subscriptions SET n_read = n_read + 1
    WHERE user_id = NEW.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = NEW.entry_id);
END;

CREATE TRIGGER entry_states_read_update AFTER UPDATE OF read ON entry_states
WHEN NEW.read != OLD.read BEGIN
    UPDATE subscriptions SET n_read = n_read + (CASE WHEN NEW.read = 1 THEN 1 ELSE -1 END)
    WHERE user_id = NEW.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = NEW.entry_id);
END;

CREATE TRIGGER entry_states_read_delete AFTER DELETE ON entry_states WHEN OLD.read = 1 BEGIN
    UPDATE subscriptions SET n_read = n_read - 1
    WHERE user_id = OLD.user_id AND feed_id = (SELECT feed_id FROM entries WHERE id = OLD.entry_id);
END;

CREATE TRIGGER subscriptions_counted AFTER INSERT ON subscriptions BEGIN
    UPDATE subscriptions SET n_read = (
        SELECT COUNT(*) FROM entry_states st JOIN entries e ON e.id = st.entry_id
        WHERE st.user_id = NEW.user_id AND e.feed_id = NEW.feed_id AND st.read = 1
    )
    WHERE user_id = NEW.user_id AND feed_id = NEW.feed_id;
END;

-- Full-text search. entry_search holds plain text (written by the store's
-- refresh path, see sqlite_search.py) and the feed as a token ('f' || feed id,
-- so feed:/category: filters and per-user scoping can be FTS5 terms),
-- entries_fts indexes it as external content.
CREATE TABLE entry_search (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    feed TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE entries_fts USING fts5 (
    title, body, feed, content = 'entry_search', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER entry_search_added AFTER INSERT ON entry_search BEGIN
    INSERT INTO entries_fts (rowid, title, body, feed)
    VALUES (NEW.id, NEW.title, NEW.body, NEW.feed);
END;

CREATE TRIGGER entry_search_removed AFTER DELETE ON entry_search BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body, feed)
    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.feed);
END;

CREATE TRIGGER entry_search_changed AFTER UPDATE ON entry_search BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body, feed)
    VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.feed);
    INSERT INTO entries_fts (rowid, title, body, feed)
    VALUES (NEW.id, NEW.title, NEW.body, NEW.feed);
END;

-- Search filters candidates by feed: id -> feed_id without touching the wide rows.
CREATE INDEX entries_id_feed ON entries (id, feed_id);

-- Entries stored before this migration are indexed with their HTML as text.
INSERT INTO entry_search (id, title, body, feed)
SELECT id, COALESCE(title, ''), COALESCE(content, summary, ''), 'f' || feed_id FROM entries;
