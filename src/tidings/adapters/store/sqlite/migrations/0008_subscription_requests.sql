-- Tidings schema v8 (SQLite, issue #11): shared feeds, per-subscriber settings.
-- Each subscription holds its reader's own full-text mode (what they see, and
-- the fetching they ask for) and refresh interval (NULL: the posting rate).
-- The feed's full_text and interval_override become the resolved values the
-- refresh uses: the strongest mode and the shortest interval any subscriber
-- asked for (the store recomputes them on subscribe, unsubscribe and edit).
ALTER TABLE subscriptions ADD COLUMN full_text TEXT;
ALTER TABLE subscriptions ADD COLUMN interval_override INTEGER;
UPDATE subscriptions SET
    full_text = (SELECT f.full_text FROM feeds f WHERE f.id = subscriptions.feed_id),
    interval_override = (SELECT f.interval_override FROM feeds f WHERE f.id = subscriptions.feed_id);
