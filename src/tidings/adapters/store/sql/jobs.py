"""The ``JobQueue`` (issue #10; migration 0006): feeds claimed with a lease.

A claim is one write transaction. On SQLite (``BEGIN IMMEDIATE``, one writer)
two workers on one file cannot both see a feed unleased; on PostgreSQL (#13)
named and ``--all`` claims take turns under an advisory lock
(``Dialect.claim_lock``), every claim's UPDATE checks the lease again, and the
due claim is ``postgres/jobs.py``'s (``SKIP LOCKED``, per-host locks). Here the
due claim picks its feeds and caps each host in one ``UPDATE ... RETURNING``.
``apply_refresh`` ends a feed's lease with its result (``queries.UPDATE_FEED_OK``
/ ``UPDATE_FEED_ERROR``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.db import Conn, SqlDb
from tidings.adapters.store.sql.rows import feed_state_from_row, to_ts
from tidings.model import FeedId, FeedState

#: The claimed feeds' states, as the claim's UPDATE leaves them.
CLAIMED = _sql.FEED_COLUMNS.replace("f.", "") + ", n_entries AS entry_count"

# Due, unleased feeds ranked within their host; a host's rank plus its live
# leases (anyone's) must stay within :per_host. Soonest due first.
CLAIM_DUE = f"""
WITH live AS (
    SELECT host, COUNT(*) AS n FROM feeds
    WHERE lease_owner IS NOT NULL AND lease_until > :now GROUP BY host
),
due AS (
    SELECT f.id, f.next_check_at,
           ROW_NUMBER() OVER (PARTITION BY f.host ORDER BY f.next_check_at, f.id) AS rank,
           COALESCE(live.n, 0) AS held
    FROM feeds f LEFT JOIN live ON live.host = f.host
    WHERE f.disabled = 0 AND f.next_check_at <= :due_by
      AND (f.lease_owner IS NULL OR f.lease_until <= :now)
      AND EXISTS (
          SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
),
picked AS (
    SELECT id FROM due WHERE rank + held <= :per_host
    ORDER BY next_check_at, id LIMIT :limit
)
UPDATE feeds SET lease_owner = :owner, lease_until = :until
WHERE id IN (SELECT id FROM picked) AND (lease_owner IS NULL OR lease_until <= :now)
RETURNING {CLAIMED}
"""

CLAIM_ALL = f"""
UPDATE feeds SET lease_owner = :owner, lease_until = :until
WHERE EXISTS (
    SELECT 1 FROM subscriptions s WHERE s.feed_id = feeds.id AND s.unsubscribed_at IS NULL)
  AND (lease_owner IS NULL OR lease_until <= :now)
RETURNING {CLAIMED}
"""

CLAIM_FEEDS = f"""
UPDATE feeds SET lease_owner = :owner, lease_until = :until
WHERE id IN ({{ids}})
  AND (lease_owner IS NULL OR lease_until <= :now)
RETURNING {CLAIMED}
"""


class SqlJobs(SqlDb):
    """Leases on the feeds table: ``lease_owner``, ``lease_until`` and ``host``."""

    def _claim_lock(self, conn: Conn) -> None:
        if self.dialect.claim_lock:
            conn.execute(self.dialect.claim_lock)

    def claim_due(
        self,
        owner: str,
        *,
        now: datetime,
        due_by: datetime | None = None,
        limit: int,
        lease_seconds: float,
        per_host: int,
    ) -> list[FeedState]:
        params = {
            "owner": owner,
            "now": to_ts(now),
            "due_by": to_ts(due_by or now),
            "until": to_ts(now + timedelta(seconds=lease_seconds)),
            "limit": limit,
            "per_host": per_host,
        }
        with self._write() as conn:
            self._claim_lock(conn)
            rows = conn.execute(CLAIM_DUE, params).fetchall()
        states = [feed_state_from_row(r) for r in rows]
        return sorted(states, key=lambda s: (s.next_check_at or now, s.id))  # soonest due first

    def claim_feeds(
        self, owner: str, feed_ids: Sequence[FeedId], *, now: datetime, lease_seconds: float
    ) -> list[FeedState]:
        params = {
            "owner": owner,
            "now": to_ts(now),
            "until": to_ts(now + timedelta(seconds=lease_seconds)),
            "ids": json.dumps(list(feed_ids)),
        }
        sql = CLAIM_FEEDS.format(ids=self.dialect.id_list.format(param=":ids"))
        with self._write() as conn:
            self._claim_lock(conn)
            rows = conn.execute(sql, params).fetchall()
        states = {s.id: s for s in (feed_state_from_row(r) for r in rows)}
        return [states[i] for i in dict.fromkeys(feed_ids) if i in states]

    def claim_all(self, owner: str, *, now: datetime, lease_seconds: float) -> list[FeedState]:
        params = {
            "owner": owner,
            "now": to_ts(now),
            "until": to_ts(now + timedelta(seconds=lease_seconds)),
        }
        with self._write() as conn:
            self._claim_lock(conn)
            rows = conn.execute(CLAIM_ALL, params).fetchall()
        return sorted((feed_state_from_row(r) for r in rows), key=lambda s: s.id)

    def renew_leases(self, owner: str, *, now: datetime, lease_seconds: float) -> int:
        until = to_ts(now + timedelta(seconds=lease_seconds))
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE feeds SET lease_until = ? WHERE lease_owner = ?", (until, owner)
            )
            return cur.rowcount

    def release_leases(self, owner: str) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
                (owner,),
            )
            return cur.rowcount

    def get_lease_owners(self, now: datetime) -> list[str]:
        rows = self._read(
            "SELECT DISTINCT lease_owner FROM feeds "
            "WHERE lease_owner IS NOT NULL AND lease_until > ? ORDER BY lease_owner",
            (to_ts(now),),
        )
        return [r[0] for r in rows]

    def request_refresh(self, feed_ids: Sequence[FeedId], *, now: datetime) -> int:
        sql = (
            "UPDATE feeds SET next_check_at = :now WHERE id IN ({ids}) "
            "AND (next_check_at IS NULL OR next_check_at > :now)"
        ).format(ids=self.dialect.id_list.format(param=":ids"))
        with self._write() as conn:
            made = conn.execute(sql, {"now": to_ts(now), "ids": json.dumps(list(feed_ids))})
            if self.dialect.notify_requests:  # sent when this transaction commits
                conn.execute(self.dialect.notify_requests)
            return made.rowcount

    def listen_for_requests(self, on_request: Callable[[], None]) -> Callable[[], None] | None:
        return None  # an engine that can tell other processes says so (PostgreSQL)
