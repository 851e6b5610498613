-- Tidings schema v7 (PostgreSQL, issue #11), mirroring sqlite/migrations/0007:
-- shared feeds, per-subscriber settings, former subscriptions kept for their
-- starred and tagged entries.
ALTER TABLE subscriptions ADD COLUMN full_text TEXT;
ALTER TABLE subscriptions ADD COLUMN unsubscribed_at BIGINT;
ALTER TABLE subscriptions ADD COLUMN interval_override BIGINT;
UPDATE subscriptions SET
    full_text = (SELECT f.full_text FROM feeds f WHERE f.id = subscriptions.feed_id),
    interval_override = (SELECT f.interval_override FROM feeds f WHERE f.id = subscriptions.feed_id);
