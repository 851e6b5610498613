"""Reading: listing filters, bulk marking, new-arrival counts, one subscription.

Everything here is scoped by ``user_id``: a feed or entry the user does not
follow is invisible (``NotFoundError``), never someone else's (HOSTILE E6).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.dialect import Dialect, listing_of
from tidings.adapters.store.sql.rows import entry_from_row, feed_from_row, to_ts
from tidings.adapters.store.sql.story_reading import SqlStoryReading, story_where
from tidings.errors import NotFoundError
from tidings.model import (
    Entry,
    EntryFilter,
    EntryId,
    Feed,
    FeedCount,
    FeedId,
    FullTextMode,
    UserId,
)

USER_ENTRY_JOINS = _sql.USER_ENTRY_JOINS

USER_FEED = f"""
SELECT {_sql.USER_FEED_COLUMNS}, c.name AS category, s.title AS custom_title,
       f.n_entries AS entry_count, {_sql.UNREAD} AS unread
FROM subscriptions s
JOIN feeds f ON f.id = s.feed_id
LEFT JOIN categories c ON c.id = s.category_id
WHERE s.user_id = :user_id AND f.id = :feed_id AND s.unsubscribed_at IS NULL
"""

FEED_COUNTS = f"""
SELECT f.id, COALESCE(s.title, f.title, f.url), c.name, {_sql.UNREAD},
       f.last_error,
       EXISTS (SELECT 1 FROM feed_icons i WHERE i.feed_id = f.id AND i.data IS NOT NULL)
FROM subscriptions s
JOIN feeds f ON f.id = s.feed_id
LEFT JOIN categories c ON c.id = s.category_id
WHERE s.user_id = :user_id AND s.unsubscribed_at IS NULL
"""

CATEGORY_COUNTS = f"""
SELECT c.name, SUM({_sql.UNREAD})
FROM subscriptions s
JOIN feeds f ON f.id = s.feed_id
LEFT JOIN categories c ON c.id = s.category_id
WHERE s.user_id = :user_id AND s.unsubscribed_at IS NULL
GROUP BY c.name
"""

MARK_READ = """
INSERT INTO entry_states (user_id, entry_id, read, starred, read_at)
SELECT :user_id, e.id, :read, 0, CASE WHEN :read = 1 THEN :now END
{joins} {where}
ON CONFLICT (user_id, entry_id) DO UPDATE SET
    read = excluded.read, read_at = excluded.read_at
WHERE entry_states.read != excluded.read
"""


def river_sql(dialect: Dialect, f: EntryFilter, *, columns: bool = True) -> str:
    """The ``SELECT ... FROM`` (or, without ``columns``, the ``FROM``) of a listing of
    ``f``, with the dialect's planner hint for how it is read (``Listing``).

    Left to itself SQLite's planner starts from the user's subscriptions and
    sorts every entry they have (a million rows: ~4 s); a listing across feeds
    reads the river index in order and stops at the page size. One feed's listing
    and starred entries keep their own, better, indexes; new arrivals
    (``after_id``) read the newest rowids only.
    """
    join = dialect.entries_join(listing_of(f))
    return _sql.user_entries(join) if columns else _sql.user_entry_joins(join)


#: filed under the folder ``:param``, or tagged with it
_LABELLED = (
    "(COALESCE(st.category, c.name, '') = :{param} OR EXISTS (SELECT 1 FROM entry_tags t "
    "WHERE t.user_id = :user_id AND t.entry_id = e.id AND t.tag = :{param}))"
)


def entry_where(user_id: UserId, f: EntryFilter) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and parameters of an entry listing (joins as in USER_ENTRIES)."""
    clauses: list[str] = []
    params: dict[str, Any] = {"user_id": user_id, "limit": max(1, min(f.limit, 10_000))}
    if f.feed_url:
        clauses.append("f.url = :feed_url")
        params["feed_url"] = f.feed_url
    if f.feed_id is not None:
        clauses.append("e.feed_id = :feed_id")
        params["feed_id"] = f.feed_id
    clauses.append("(st.hidden IS NULL OR st.hidden = 0)")  # dropped by the user's rules (#5)
    clauses.append(_sql.VISIBLE)  # kept entries of a feed no longer followed (#11)
    if f.category:
        clauses.append("COALESCE(st.category, c.name) = :category")
        params["category"] = f.category
    if f.unread:
        clauses.append("(st.read IS NULL OR st.read = 0)")
    if f.starred:
        clauses.append("st.starred = 1")
    if f.before:
        clauses.append("e.sort_at <= :b_ts AND (e.sort_at < :b_ts OR e.id < :b_id)")
        params["b_ts"] = to_ts(f.before[0])
        params["b_id"] = f.before[1]
    if f.after:
        clauses.append("e.sort_at >= :a_ts AND (e.sort_at > :a_ts OR e.id > :a_id)")
        params["a_ts"] = to_ts(f.after[0])
        params["a_id"] = f.after[1]
    if f.after_id is not None:
        clauses.append("e.id > :after_id")
        params["after_id"] = f.after_id
    if f.read:
        clauses.append("st.read = 1")
    if f.tag is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM entry_tags t WHERE t.user_id = :user_id "
            "AND t.entry_id = e.id AND t.tag = :tag)"
        )
        params["tag"] = f.tag
    if f.label:
        clauses.append(_LABELLED.format(param="label"))
        params["label"] = f.label
    # An entry arrived in the user's list when it was crawled or when they followed
    # its feed, whichever is later: entries crawled for another subscriber earlier
    # are new to them (GReader `ot`, `ts`; Fever `before`), as on a per-user server.
    if f.seen_from is not None:
        clauses.append("(e.first_seen_at >= :seen_from OR s.created_at >= :seen_from)")
        params["seen_from"] = to_ts(f.seen_from)
    if f.seen_before is not None:
        clauses.append("e.first_seen_at < :seen_before AND s.created_at < :seen_before")
        # crawl times are whole seconds: an entry stored in the second of `seen_before`
        # (a "mark all read" at this moment) was crawled before it, so round up
        params["seen_before"] = math.ceil(f.seen_before.timestamp())
    if f.unstarred:
        clauses.append("(st.starred IS NULL OR st.starred = 0)")
    for n, label in enumerate(f.exclude_labels):
        clauses.append(f"NOT {_LABELLED.format(param=f'xl{n}')}")
        params[f"xl{n}"] = label
    for n, feed_id in enumerate(f.exclude_feed_ids):
        clauses.append(f"e.feed_id != :xf{n}")
        params[f"xf{n}"] = feed_id
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class SqlReading(SqlStoryReading):
    """The reading half of the Store protocol (see ``tidings.ports.ReadingStore``)."""

    def get_feed(self, user_id: UserId, feed_id: FeedId) -> Feed:
        rows = self._read(USER_FEED, {"user_id": user_id, "feed_id": feed_id})
        if not rows:
            raise NotFoundError(f"no feed {feed_id}")
        row = rows[0]
        return feed_from_row(row)

    def set_subscription(
        self,
        user_id: UserId,
        feed_id: FeedId,
        *,
        category: str | None,
        full_text: FullTextMode | None = None,
        interval: int | None = None,
    ) -> None:
        self.get_feed(user_id, feed_id)
        with self._write() as conn:
            category_id = None
            if category:
                conn.execute(
                    "INSERT INTO categories (user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (user_id, category),
                )
                category_id = conn.execute(
                    "SELECT id FROM categories WHERE user_id = ? AND name = ?", (user_id, category)
                ).fetchone()[0]
            conn.execute(
                "UPDATE subscriptions SET category_id = ? WHERE user_id = ? AND feed_id = ?",
                (category_id, user_id, feed_id),
            )
            conn.execute(
                "DELETE FROM categories WHERE user_id = ? AND id NOT IN "
                "(SELECT category_id FROM subscriptions WHERE user_id = ? "
                "AND category_id IS NOT NULL)",
                (user_id, user_id),
            )
            # the user's own request; the feed fetches by the resolved value (#11)
            conn.execute(
                "UPDATE subscriptions SET full_text = COALESCE(?, full_text), "
                "interval_override = ? WHERE user_id = ? AND feed_id = ?",
                (full_text.value if full_text else None, interval, user_id, feed_id),
            )
            conn.execute(_sql.RESOLVE_FEED, {"feed_id": feed_id})

    def count_subscribers(self, feed_id: FeedId) -> int:
        rows = self._read(
            "SELECT COUNT(*) FROM subscriptions WHERE feed_id = ? AND unsubscribed_at IS NULL",
            (feed_id,),
        )
        return int(rows[0][0])

    def set_feed_title(self, user_id: UserId, feed_id: FeedId, title: str | None) -> None:
        self.get_feed(user_id, feed_id)
        with self._write() as conn:
            conn.execute(
                "UPDATE subscriptions SET title = ? WHERE user_id = ? AND feed_id = ?",
                (title, user_id, feed_id),
            )

    def mark_entries_read(
        self, user_id: UserId, entry_ids: Sequence[EntryId], *, read: bool, now: datetime
    ) -> int:
        ids = sorted({int(i) for i in entry_ids})[:1000]
        if not ids:
            return 0
        params: dict[str, Any] = {"user_id": user_id, "read": int(read), "now": to_ts(now)}
        params.update((f"id{i}", entry_id) for i, entry_id in enumerate(ids))
        where = " WHERE e.id IN (" + ", ".join(f":id{i}" for i in range(len(ids))) + ")"
        where += " AND COALESCE(st.read, 0) != :read"  # count changes only
        with self._write() as conn:
            cur = conn.execute(MARK_READ.format(joins=USER_ENTRY_JOINS, where=where), params)
            return cur.rowcount

    def mark_all_read(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        up_to: EntryId,
        older_than: datetime | None,
        now: datetime,
    ) -> int:
        where, params = entry_where(user_id, filter)
        extra = ["e.id <= :up_to", "(st.read IS NULL OR st.read = 0)"]
        params.update(up_to=up_to, read=1, now=to_ts(now))
        if older_than is not None:
            extra.append("e.sort_at < :older_than")
            params["older_than"] = to_ts(older_than)
        where = (where + " AND " if where else " WHERE ") + " AND ".join(extra)
        params.pop("limit")
        with self._write() as conn:
            cur = conn.execute(MARK_READ.format(joins=USER_ENTRY_JOINS, where=where), params)
            return cur.rowcount

    def count_entries(self, user_id: UserId, filter: EntryFilter) -> int:
        where, params = entry_where(user_id, filter)
        where = story_where(where, filter)  # as the listing shows them: each story once
        params.pop("limit")
        sql = "SELECT COUNT(*) " + river_sql(self.dialect, filter, columns=False) + where
        rows = self._read(sql, params)
        return int(rows[0][0])

    def get_feed_counts(
        self, user_id: UserId, categories: Collection[str | None] | None = None
    ) -> list[FeedCount]:
        sql = FEED_COUNTS
        params: dict[str, Any] = {"user_id": user_id}
        if categories is not None:
            names = sorted(c for c in categories if c is not None)
            params.update((f"c{i}", name) for i, name in enumerate(names))
            marks = ", ".join(f":c{i}" for i in range(len(names)))
            named = f"c.name IN ({marks})" if names else "1 = 0"  # ``IN ()``: SQLite only
            alone = " OR c.id IS NULL" if None in categories else ""
            sql += f" AND ({named}{alone})"
        rows = self._read(sql, params)
        counts = [FeedCount(FeedId(r[0]), r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]
        return sorted(counts, key=lambda f: f.title.lower())

    def get_category_counts(self, user_id: UserId) -> dict[str | None, int]:
        rows = self._read(CATEGORY_COUNTS, {"user_id": user_id})
        return {r[0]: int(r[1]) for r in rows}

    def count_starred(self, user_id: UserId) -> int:
        rows = self._read(
            "SELECT COUNT(*) FROM entry_states WHERE user_id = ? AND starred = 1", (user_id,)
        )
        return int(rows[0][0])

    def get_latest_entry_id(self, user_id: UserId) -> EntryId:
        rows = self._read(
            "SELECT e.id FROM entries e WHERE EXISTS (SELECT 1 FROM subscriptions s "
            "WHERE s.feed_id = e.feed_id AND s.user_id = ?) ORDER BY e.id DESC LIMIT 1",
            (user_id,),
        )
        return EntryId(rows[0][0] if rows else 0)

    # entries, as one user sees them

    def get_entries(self, user_id: UserId, filter: EntryFilter) -> list[Entry]:
        where, params = entry_where(user_id, filter)
        where = story_where(where, filter)  # each story once
        sql = river_sql(self.dialect, filter) + where
        order = "ASC" if filter.oldest_first else "DESC"
        sql += f" ORDER BY e.sort_at {order}, e.id {order} LIMIT :limit"
        return self._with_stories(user_id, [entry_from_row(r) for r in self._read(sql, params)])

    def get_entry(self, user_id: UserId, entry_id: EntryId) -> Entry:
        rows = self._read(
            _sql.USER_ENTRIES + f" WHERE e.id = :id AND {_sql.VISIBLE}",
            {"user_id": user_id, "id": entry_id},
        )
        if not rows:
            raise NotFoundError(f"no entry {entry_id}")
        return self._with_stories(user_id, [entry_from_row(rows[0])])[0]

    def mark_entry(
        self,
        user_id: UserId,
        entry_id: EntryId,
        *,
        read: bool | None = None,
        starred: bool | None = None,
        now: datetime,
    ) -> None:
        self.get_entry(user_id, entry_id)  # 404 for entries the user cannot see
        with self._write() as conn:
            conn.execute(
                _sql.MARK_ENTRY,
                {
                    "user_id": user_id,
                    "entry_id": entry_id,
                    "read": None if read is None else int(read),
                    "starred": None if starred is None else int(starred),
                    "now": to_ts(now),
                },
            )

    def get_categories(self, user_id: UserId) -> list[str]:
        rows = self._read(
            "SELECT name FROM categories WHERE user_id = ? ORDER BY LOWER(name)", (user_id,)
        )
        return [r[0] for r in rows]
