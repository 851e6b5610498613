"""Feed icons (issue #12; migration 0008): a row per feed whose icon we tried to fetch.

The bytes are served to the feed's subscribers only; a failed try records its
error and keeps the bytes an earlier try stored.
"""

from __future__ import annotations

from datetime import datetime

from tidings.adapters.store.sql.db import Row, SqlDb
from tidings.adapters.store.sql.rows import from_ts, to_ts
from tidings.model import FeedId, Icon, IconJob, UserId

CANDIDATES = """
SELECT f.id, f.url, f.icon, f.link
FROM feeds f LEFT JOIN feed_icons i ON i.feed_id = f.id
WHERE f.disabled = 0 AND f.last_success_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
  AND (i.feed_id IS NULL
       OR (i.error IS NULL AND i.fetched_at < :stale)
       OR (i.error IS NOT NULL AND i.fetched_at < :retry))
ORDER BY i.fetched_at IS NOT NULL, i.fetched_at, f.id LIMIT :limit
"""

USER_ICON = """
SELECT i.feed_id, i.data, i.content_type, i.source_url, i.fetched_at, i.error
FROM feed_icons i JOIN subscriptions s ON s.feed_id = i.feed_id
WHERE s.user_id = :user_id AND i.feed_id = :feed_id AND s.unsubscribed_at IS NULL
"""

USER_ICONS = """
SELECT i.feed_id, i.data, i.content_type, i.source_url, i.fetched_at, i.error
FROM feed_icons i JOIN subscriptions s ON s.feed_id = i.feed_id
WHERE s.user_id = :user_id AND s.unsubscribed_at IS NULL
  AND i.data IS NOT NULL AND i.content_type IS NOT NULL
ORDER BY i.feed_id
"""

SET_ICON = """
INSERT INTO feed_icons (feed_id, data, content_type, source_url, fetched_at, error)
SELECT :feed_id, :data, :content_type, :source_url, :now, :error
WHERE EXISTS (SELECT 1 FROM feeds WHERE id = :feed_id)
ON CONFLICT (feed_id) DO UPDATE SET
    data = CASE WHEN excluded.error IS NULL THEN excluded.data ELSE feed_icons.data END,
    content_type = CASE WHEN excluded.error IS NULL
                        THEN excluded.content_type ELSE feed_icons.content_type END,
    source_url = CASE WHEN excluded.error IS NULL
                      THEN excluded.source_url ELSE feed_icons.source_url END,
    fetched_at = excluded.fetched_at, error = excluded.error
"""


class SqlIcons(SqlDb):
    """The icon half of the Store protocol (see ``tidings.ports.IconStore``)."""

    def get_icon_candidates(
        self, *, stale_before: datetime, retry_before: datetime, limit: int = 50
    ) -> list[IconJob]:
        rows = self._read(
            CANDIDATES,
            {"stale": to_ts(stale_before), "retry": to_ts(retry_before), "limit": limit},
        )
        return [IconJob(FeedId(r[0]), r[1], r[2], r[3]) for r in rows]

    def get_icon(self, user_id: UserId, feed_id: FeedId) -> Icon | None:
        rows = self._read(USER_ICON, {"user_id": user_id, "feed_id": feed_id})
        return _icon(rows[0]) if rows else None

    def get_icons(self, user_id: UserId) -> list[Icon]:
        return [_icon(r) for r in self._read(USER_ICONS, {"user_id": user_id})]

    def set_icon(
        self,
        feed_id: FeedId,
        *,
        now: datetime,
        data: bytes | None = None,
        content_type: str | None = None,
        source_url: str | None = None,
        error: str | None = None,
    ) -> None:
        if error is None and (data is None or content_type is None):
            raise ValueError("an icon stored without an error needs its bytes and type")
        with self._write() as conn:
            conn.execute(
                SET_ICON,
                {
                    "feed_id": feed_id,
                    "data": data if error is None else None,
                    "content_type": content_type if error is None else None,
                    "source_url": source_url,
                    "now": to_ts(now),
                    "error": error,
                },
            )


def _icon(r: Row) -> Icon:
    fetched = from_ts(r[4])
    assert fetched is not None  # NOT NULL column
    data = None if r[1] is None else bytes(r[1])
    return Icon(FeedId(r[0]), data, r[2], r[3], fetched, r[5])
