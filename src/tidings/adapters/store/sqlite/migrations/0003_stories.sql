-- Tidings schema v3 (SQLite, issue #5): stories. Full text and metadata on the
-- shared entry rows, story clusters, and each user's filter rules and their
-- effects (hidden, category, tags), which never touch the shared rows.

-- The story of an entry. `content` stays the feed's own (cleaned) content;
-- `full_content` is the extracted article when it beat it (shown instead).
ALTER TABLE entries ADD COLUMN full_content TEXT;
ALTER TABLE entries ADD COLUMN lead TEXT;
ALTER TABLE entries ADD COLUMN word_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN reading_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN main_image TEXT;
ALTER TABLE entries ADD COLUMN section TEXT;
ALTER TABLE entries ADD COLUMN canonical_url TEXT;
ALTER TABLE entries ADD COLUMN minhash BLOB;        -- MinHash signature, 64 x uint32
ALTER TABLE entries ADD COLUMN cluster_id INTEGER;   -- id of the cluster's first entry
CREATE INDEX entries_cluster ON entries (cluster_id) WHERE cluster_id IS NOT NULL;
-- the page cache: articles already extracted, by canonical URL
CREATE INDEX entries_article ON entries (canonical_url) WHERE full_content IS NOT NULL;

-- Keys under which copies of a story find each other (URL, text, lead, MinHash
-- bands), each a signed 64-bit digest; only recent keys are kept and searched.
CREATE TABLE story_keys (
    key INTEGER NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_entry ON story_keys (entry_id);
CREATE INDEX story_keys_seen ON story_keys (seen_at);

-- Per-user effects of filter rules: hidden (the "drop" action) and a category.
ALTER TABLE entry_states ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_states ADD COLUMN category TEXT;

CREATE TABLE entry_tags (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (user_id, entry_id, tag)
) WITHOUT ROWID;
CREATE INDEX entry_tags_entry ON entry_tags (entry_id);

-- A user's filter rules; feed_id NULL: all the user's feeds.
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feed_id INTEGER REFERENCES feeds (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    pattern TEXT NOT NULL,
    keep INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    value TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX rules_user ON rules (user_id);

-- Per-feed extraction options (CSS selectors), on the shared feed.
CREATE TABLE feed_story_options (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    body_selector TEXT,
    remove_selectors TEXT NOT NULL DEFAULT '[]'
);
