"""WebSub subscriptions (issue #4; migration 0004).

A row per feed we asked a hub to push: the hub, the topic, our callback id and
the HMAC secret, and where the subscription stands (``requested`` until the
hub verifies our intent, then ``active`` until its lease ends; ``denied`` or
``failed`` when the hub said no or could not be reached). Deleting the feed
deletes the row, so a hub calling back afterwards finds nothing (404).
"""

from __future__ import annotations

from datetime import datetime

from tidings.adapters.store.sql.db import SqlDb
from tidings.adapters.store.sql.rows import RowLike, from_ts, to_ts
from tidings.model import FeedId, WebSubState

_COLUMNS = (
    "w.feed_id, f.url AS feed_url, w.hub, w.topic, w.callback_id, w.secret, w.state, "
    "w.requested_at, w.expires_at, w.last_push_at, w.last_error"
)

CANDIDATES = f"""
SELECT f.id AS id, f.url AS url, f.hub AS feed_hub, w.feed_id IS NOT NULL AS known, {_COLUMNS}
FROM feeds f LEFT JOIN websub_subscriptions w ON w.feed_id = f.id
WHERE f.hub IS NOT NULL AND f.disabled = 0
  AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
  AND (w.feed_id IS NULL OR w.hub != f.hub
       OR (w.state = 'active'
           AND COALESCE(w.expires_at, 0)
               - CASE WHEN COALESCE(w.lease_seconds, 0) / 5 < 86400
                      THEN COALESCE(w.lease_seconds, 0) / 5 ELSE 86400 END < :now)
       OR (w.state IN ('requested', 'failed') AND w.requested_at < :retry)
       OR (w.state = 'denied' AND w.requested_at < :retry_denied))
ORDER BY f.id LIMIT :limit
"""

REQUEST = """
INSERT INTO websub_subscriptions (feed_id, hub, topic, callback_id, secret, state, requested_at)
VALUES (:feed_id, :hub, :topic, :callback_id, :secret, 'requested', :now)
ON CONFLICT (feed_id) DO UPDATE SET
    state = CASE WHEN websub_subscriptions.state = 'active'
                  AND websub_subscriptions.hub = excluded.hub
                  AND websub_subscriptions.callback_id = excluded.callback_id
                 THEN 'active' ELSE 'requested' END,
    hub = excluded.hub, topic = excluded.topic, callback_id = excluded.callback_id,
    secret = excluded.secret, requested_at = excluded.requested_at, last_error = NULL
"""


def _state(row: RowLike) -> WebSubState:
    return WebSubState(
        feed_id=FeedId(row["feed_id"]),
        feed_url=row["feed_url"],
        hub=row["hub"],
        topic=row["topic"],
        callback_id=row["callback_id"],
        secret=row["secret"],
        state=row["state"],
        requested_at=from_ts(row["requested_at"]) or datetime.min,
        expires_at=from_ts(row["expires_at"]),
        last_push_at=from_ts(row["last_push_at"]),
        last_error=row["last_error"],
    )


class SqlWebSub(SqlDb):
    """The WebSub half of the Store protocol (see ``tidings.ports.WebSubStore``)."""

    def get_websub_candidates(
        self, *, now: datetime, retry_before: datetime, limit: int = 50
    ) -> list[tuple[FeedId, str, str, WebSubState | None]]:
        rows = self._read(
            CANDIDATES,
            {
                "now": to_ts(now),
                "retry": to_ts(retry_before),
                "retry_denied": (to_ts(retry_before) or 0) - 6 * 86400,
                "limit": limit,
            },
        )
        return [
            (FeedId(r["id"]), r["url"], r["feed_hub"], _state(r) if r["known"] else None)
            for r in rows
        ]

    def request_websub(
        self,
        feed_id: FeedId,
        *,
        hub: str,
        topic: str,
        callback_id: str,
        secret: str,
        now: datetime,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                REQUEST,
                {
                    "feed_id": feed_id,
                    "hub": hub,
                    "topic": topic,
                    "callback_id": callback_id,
                    "secret": secret,
                    "now": to_ts(now),
                },
            )

    def get_websub(self, callback_id: str) -> WebSubState | None:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM websub_subscriptions w JOIN feeds f ON f.id = w.feed_id "
            "WHERE w.callback_id = ?",
            (callback_id,),
        )
        return _state(rows[0]) if rows else None

    def update_websub(
        self,
        feed_id: FeedId,
        *,
        state: str,
        expires_at: datetime | None = None,
        lease_seconds: int | None = None,
        error: str | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE websub_subscriptions SET state = ?, expires_at = COALESCE(?, expires_at), "
                "lease_seconds = COALESCE(?, lease_seconds), last_error = ? WHERE feed_id = ?",
                (state, to_ts(expires_at), lease_seconds, error, feed_id),
            )

    def record_websub_push(self, feed_id: FeedId, now: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE websub_subscriptions SET last_push_at = ? WHERE feed_id = ?",
                (to_ts(now), feed_id),
            )
