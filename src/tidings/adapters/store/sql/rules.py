"""Filter rules and per-feed extraction options (issue #5).

Rules belong to a user; a rule for one feed names a feed the user follows.
Their effects are written on the refresh path (``sql.stories``).
"""

from __future__ import annotations

from datetime import datetime

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.rows import entry_from_row, to_ts
from tidings.adapters.store.sql.stories import RULE_COLUMNS, rule_from_row
from tidings.adapters.store.sql.story_reading import SqlStoryReading
from tidings.errors import NotFoundError
from tidings.model import Entry, FeedId, Rule, UserId


class SqlRules(SqlStoryReading):
    """A user's rules, and the stored entries a rule would look at."""

    def get_rules(self, user_id: UserId) -> list[Rule]:
        rows = self._read(
            f"SELECT {RULE_COLUMNS} FROM rules r LEFT JOIN feeds f ON f.id = r.feed_id "
            "WHERE r.user_id = ? ORDER BY r.id",
            (user_id,),
        )
        return [rule_from_row(r) for r in rows]

    def add_rule(self, user_id: UserId, rule: Rule, *, now: datetime) -> Rule:
        feed_id = self._subscribed_feed(user_id, rule.feed_url) if rule.feed_url else None
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO rules (user_id, feed_id, field, pattern, keep, action, value, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    user_id,
                    feed_id,
                    rule.field.value,
                    rule.pattern,
                    int(rule.keep),
                    rule.action.value,
                    rule.value,
                    to_ts(now),
                ),
            ).fetchone()
            rule_id = int(row[0])
        return next(r for r in self.get_rules(user_id) if r.id == rule_id)

    def remove_rule(self, user_id: UserId, rule_id: int) -> None:
        with self._write() as conn:
            cur = conn.execute("DELETE FROM rules WHERE id = ? AND user_id = ?", (rule_id, user_id))
            if cur.rowcount == 0:
                raise NotFoundError(f"no rule {rule_id}")

    def _subscribed_feed(self, user_id: UserId, url: str) -> FeedId:
        rows = self._read(
            "SELECT f.id FROM feeds f JOIN subscriptions s ON s.feed_id = f.id "
            "WHERE f.url = ? AND s.user_id = ? AND s.unsubscribed_at IS NULL",
            (url, user_id),
        )
        if not rows:
            raise NotFoundError(f"not subscribed: {url}")
        return FeedId(rows[0][0])

    def get_rule_entries(self, user_id: UserId, feed_url: str | None, limit: int) -> list[Entry]:
        """The user's stored entries a rule for ``feed_url`` (None: all feeds) would see,
        newest first, dropped ones included."""
        where = " WHERE f.url = :feed_url" if feed_url else ""
        if feed_url:
            self._subscribed_feed(user_id, feed_url)
        rows = self._read(
            _sql.USER_ENTRIES + where + " ORDER BY e.sort_at DESC, e.id DESC LIMIT :limit",
            {"user_id": user_id, "feed_url": feed_url, "limit": max(1, min(limit, 100_000))},
        )
        return self._with_stories(user_id, [entry_from_row(r) for r in rows])
