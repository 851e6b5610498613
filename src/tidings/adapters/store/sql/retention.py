"""Retention (#15): the cleanup of old entries, in bounded batches.

Entries are shared rows, so an entry goes only when every subscriber's state
allows it: nobody starred or tagged it (former subscribers included), it is not
one of its feed's ``keep_per_feed`` newest, and it is older than ``read_days``
if every current subscriber has read it (a rule's "drop" marks it read), else
older than ``unread_days``. Age is the time since Tidings first stored it (an
imported archive is not deleted the day it arrives).

A batch is one short write transaction over at most ``FEEDS_A_BATCH`` feeds and
``limit`` entries, so a big cleanup never holds SQLite's one writer for long.
With the entries go (by the ``entries_uncounted`` trigger) their states, read
counters and search rows, their story keys (only an entry first stored within the
clustering window still has any), and their cluster's head: the copies left get
the smallest id among them as their cluster, never the id of a deleted row (which
SQLite could give again to a new entry). Each deleted guid is kept as a tombstone
while its feed's document may still carry it (``get_entry_hashes``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tidings.adapters.store.sql.db import Conn, SqlDb
from tidings.adapters.store.sql.rows import to_ts
from tidings.adapters.store.sql.stories import CLUSTER_WINDOW
from tidings.model import CleanupCounts, FeedId, Retention

FEEDS_A_BATCH = 50
_CHUNK = 500  # ids a statement


def _chunks(items: Sequence[int]) -> list[list[int]]:
    return [list(items[i : i + _CHUNK]) for i in range(0, len(items), _CHUNK)]


_FAR = 2**62  # after every date and id: no entry is among the kept ones
_DAY = 86400

#: every current subscriber of the entry's feed has read it
READ_BY_ALL = """NOT EXISTS (
    SELECT 1 FROM subscriptions s
    WHERE s.feed_id = e.feed_id AND s.unsubscribed_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM entry_states rs
        WHERE rs.user_id = s.user_id AND rs.entry_id = e.id AND rs.read = 1))"""

#: the entries the cleanup may delete (``{feeds}``: which feeds; ``{bound}``: the
#: feed's ``keep``-th newest entry, as ``sort_at, id``)
EXPIRED = f"""
WITH kept AS MATERIALIZED (
    SELECT f.id AS feed_id, {{bound}}
    FROM feeds f WHERE {{feeds}} AND f.n_entries > :keep
)
SELECT e.id, e.feed_id, e.first_seen_at, CASE WHEN {READ_BY_ALL} THEN 1 ELSE 0 END AS read
FROM kept b
JOIN entries e ON e.feed_id = b.feed_id AND (e.sort_at, e.id) < (b.sort_at, b.id)
WHERE e.first_seen_at < :oldest
  AND NOT EXISTS (SELECT 1 FROM entry_states st WHERE st.entry_id = e.id AND st.starred = 1)
  AND NOT EXISTS (SELECT 1 FROM entry_tags t WHERE t.entry_id = e.id)
  AND CASE WHEN {READ_BY_ALL} THEN e.first_seen_at < :read_before
           ELSE e.first_seen_at < :unread_before END
"""

_NEWEST = (
    "(SELECT n.{col} FROM entries n WHERE n.feed_id = f.id "
    "ORDER BY n.sort_at DESC, n.id DESC LIMIT 1 OFFSET :offset) AS {col}"
)


def _expired_sql(retention: Retention, feeds: str) -> str:
    if retention.keep_per_feed > 0:
        bound = ", ".join(_NEWEST.format(col=c) for c in ("sort_at", "id"))
    else:
        bound = f"{_FAR} AS sort_at, {_FAR} AS id"
    return EXPIRED.format(bound=bound, feeds=feeds)


def _params(retention: Retention, now: datetime) -> dict[str, Any]:
    ts = to_ts(now) or 0

    def before(days: int) -> int:
        return ts - days * _DAY if days > 0 else -1  # -1: no entry is that old

    read_before, unread_before = before(retention.read_days), before(retention.unread_days)
    return {
        "keep": max(0, retention.keep_per_feed),
        "offset": max(0, retention.keep_per_feed - 1),
        "read_before": read_before,
        "unread_before": unread_before,
        "oldest": max(read_before, unread_before),
    }


class SqlRetention(SqlDb):
    """``RetentionStore``: the cleanup's count, its batches and its lease."""

    def count_expired_entries(self, retention: Retention, *, now: datetime) -> CleanupCounts:
        if retention.keeps_everything:
            return CleanupCounts()
        rows = self._read(
            "SELECT COUNT(*), COALESCE(SUM(x.read), 0) "
            f"FROM ({_expired_sql(retention, 'f.id > 0')}) AS x",
            _params(retention, now),
        )
        return CleanupCounts(entries=int(rows[0][0]), read=int(rows[0][1]))

    def delete_expired_entries(
        self,
        retention: Retention,
        *,
        now: datetime,
        limit: int,
        from_feed: FeedId | None = None,
    ) -> tuple[CleanupCounts, FeedId | None]:
        if retention.keeps_everything:
            return CleanupCounts(), None
        params = _params(retention, now)
        ts = to_ts(now) or 0
        rows: list[Any] = []
        with self._write() as conn:
            feeds = [
                int(r[0])
                for r in conn.execute(
                    "SELECT id FROM feeds WHERE id >= :from_feed AND n_entries > :keep "
                    "ORDER BY id LIMIT :n",
                    {"from_feed": from_feed or 0, "keep": params["keep"], "n": FEEDS_A_BATCH},
                ).fetchall()
            ]
            if feeds:
                ids = self.dialect.id_list.format(param=":feeds")
                rows = conn.execute(
                    _expired_sql(retention, f"f.id IN ({ids})") + " LIMIT :limit",
                    params | {"feeds": json.dumps(feeds), "limit": limit},
                ).fetchall()
            counts = self._delete_entries(conn, rows, ts)
        if len(rows) >= limit:
            return counts, FeedId(feeds[0])  # this chunk again: it may hold more
        if len(feeds) < FEEDS_A_BATCH:  # the last feeds: the end of the cleanup
            return counts + self._finish_cleanup(ts), None
        return counts, FeedId(feeds[-1] + 1)

    def _delete_entries(self, conn: Conn, rows: Sequence[Any], now: int) -> CleanupCounts:
        if not rows:
            return CleanupCounts()
        ids = [int(r[0]) for r in rows]
        listed = self.dialect.id_list.format(param=":ids")
        p = {"ids": json.dumps(ids), "now": now}
        tombstones = conn.execute(
            "INSERT INTO entry_tombstones (feed_id, guid, deleted_at) "
            f"SELECT feed_id, guid, :now FROM entries WHERE id IN ({listed}) "
            "ON CONFLICT DO NOTHING",
            p,
        ).rowcount
        search = conn.execute(
            f"SELECT COUNT(*) FROM entry_search WHERE id IN ({listed})", p
        ).fetchone()[0]
        conn.execute(f"DELETE FROM entries WHERE id IN ({listed})", p)
        keys = self._forget_deleted_entries(conn, [(r[0], r[2]) for r in rows], now)
        return CleanupCounts(
            entries=len(ids),
            read=sum(int(r[3]) for r in rows),
            search_rows=int(search),
            story_keys=keys,
            tombstones=max(0, tombstones),
        )

    def _forget_deleted_entries(
        self, conn: Conn, entries: Sequence[tuple[Any, Any]], now: int | None
    ) -> int:
        """After entries were deleted (``(id, first_seen_at)``; those still there are
        left alone): their story keys, and their place at the head of a cluster.
        Returns the number of story keys deleted. The log has no index by entry: a
        cleanup (``now`` given) looks only for the keys of entries stored within the
        clustering window (older keys go in the cleanup's last batch, with the
        window's pruning); otherwise the log is read once for all of them."""
        listed = self.dialect.id_list.format(param=":ids")
        ids = [int(i) for i, _ in entries]
        left: set[int] = set()
        for chunk in _chunks(ids):
            found = conn.execute(
                f"SELECT id FROM entries WHERE id IN ({listed})", {"ids": json.dumps(chunk)}
            ).fetchall()
            left.update(int(r[0]) for r in found)
        gone = [(int(i), int(seen)) for i, seen in entries if int(i) not in left]
        keyed = [i for i, seen in gone if now is None or seen >= now - CLUSTER_WINDOW]
        keys = 0
        if keyed:  # one statement: one read of the log
            keys = conn.execute(
                f"DELETE FROM story_keys WHERE entry_id IN ({listed})", {"ids": json.dumps(keyed)}
            ).rowcount
        for chunk in _chunks([i for i, _ in gone]):
            self._renumber_clusters(conn, chunk)
        return max(0, keys)

    def _renumber_clusters(self, conn: Conn, deleted: Sequence[int]) -> None:
        """The copies left of a cluster whose head was deleted: the smallest of them
        heads it (a cluster's id is its first entry's)."""
        listed = self.dialect.id_list.format(param=":ids")
        rows = conn.execute(
            f"SELECT cluster_id, MIN(id) FROM entries WHERE cluster_id IN ({listed}) "
            "GROUP BY cluster_id",
            {"ids": json.dumps(list(deleted))},
        ).fetchall()
        conn.executemany(
            "UPDATE entries SET cluster_id = :new WHERE cluster_id = :old",
            [{"old": int(r[0]), "new": int(r[1])} for r in rows],
        )

    def _finish_cleanup(self, now: int) -> CleanupCounts:
        """The end of a cleanup: story keys past the clustering window (a scan of
        the log, as the refresh's hourly pruning), then the search index compacted."""
        with self._write() as conn:
            keys = conn.execute(
                "DELETE FROM story_keys WHERE seen_at < :old", {"old": now - CLUSTER_WINDOW}
            ).rowcount
            conn.execute(
                "DELETE FROM story_key_turns WHERE seen_at < :old", {"old": now - CLUSTER_WINDOW}
            )
        self._compact_search_index()
        return CleanupCounts(story_keys=max(0, keys))

    def _compact_search_index(self) -> None:
        """Give back the search index's space of deleted entries, in steps of short
        transactions (SQLite's FTS5; PostgreSQL's GIN index is vacuum's work)."""

    # the cleanup's lease: one run at a time, once an interval, across processes

    def claim_maintenance(
        self, name: str, owner: str, *, now: datetime, every: float, lease_seconds: float
    ) -> bool:
        ts = to_ts(now) or 0
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO maintenance (name, started_at, lease_owner, lease_until) "
                "VALUES (:name, :now, :owner, :until) ON CONFLICT (name) DO UPDATE SET "
                "started_at = excluded.started_at, lease_owner = excluded.lease_owner, "
                "lease_until = excluded.lease_until "
                "WHERE maintenance.started_at <= :due "
                "AND (maintenance.lease_until IS NULL OR maintenance.lease_until <= :now) "
                "RETURNING name",
                {
                    "name": name,
                    "now": ts,
                    "owner": owner,
                    "until": ts + int(lease_seconds),
                    "due": ts - int(every),
                },
            ).fetchone()
        return row is not None

    def end_maintenance(self, name: str, owner: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE maintenance SET lease_owner = NULL, lease_until = NULL "
                "WHERE name = :name AND lease_owner = :owner",
                {"name": name, "owner": owner},
            )
