-- Tidings schema v8 (SQLite, issue #11): shared feeds, per-subscriber settings.
-- Each subscription holds its reader's own full-text mode (what they see, and
-- the fetching they ask for) and refresh interval (NULL: the posting rate).
-- The feed's full_text and interval_override become the resolved values the
-- refresh uses: the strongest mode and the shortest interval any subscriber
-- asked for (the store recomputes them on subscribe, unsubscribe and edit).
--
-- A user who unsubscribes from a feed while some of its entries are starred or
-- tagged by them keeps a former subscription (unsubscribed_at set): the feed is
-- no longer theirs (not listed, not counted, not fetched for them), but those
-- entries stay in their Starred list and search, credited to the feed.
ALTER TABLE subscriptions ADD COLUMN full_text TEXT;
ALTER TABLE subscriptions ADD COLUMN unsubscribed_at INTEGER;
ALTER TABLE subscriptions ADD COLUMN interval_override INTEGER;
UPDATE subscriptions SET
    full_text = (SELECT f.full_text FROM feeds f WHERE f.id = subscriptions.feed_id),
    interval_override = (SELECT f.interval_override FROM feeds f WHERE f.id = subscriptions.feed_id);
