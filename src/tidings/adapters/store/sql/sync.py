"""Sync: what the apps' APIs (Fever, Google Reader) read: entries in id order,
complete id lists, folders with their ids (#12).

Scoped by ``user_id`` like every reading query; only entries of feeds the user
follows are listed (an API item must name a feed the API lists), never hidden ones.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.dialect import Listing, listing_of
from tidings.adapters.store.sql.reading import entry_where
from tidings.adapters.store.sql.rows import entry_from_row, from_ts, to_ts
from tidings.adapters.store.sql.story_reading import SqlStoryReading
from tidings.model import Entry, EntryFilter, EntryId, FeedId, UserId

MAX_PAGE = 1000  # entries per call
MAX_IDS = 10_000  # ids per call (a stream page; one write)
#: the entries an API lists: followed feeds, not dropped by the user's rules
_LISTED = f"(st.hidden IS NULL OR st.hidden = 0) AND {_sql.FOLLOWING}"


_FOLLOWED_IDS = f"""
SELECT e.id FROM subscriptions s JOIN entries e ON e.feed_id = s.feed_id
WHERE s.user_id = :user_id AND {_sql.FOLLOWING}
"""
_STATE_IDS = "SELECT st.entry_id FROM entry_states st WHERE st.user_id = :user_id"
#: the followed feeds with unread entries, by the counters (kept by triggers)
_UNREAD_FEEDS = f"""
SELECT s.feed_id FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
WHERE s.user_id = :user_id AND {_sql.FOLLOWING} AND f.n_entries > s.n_read
"""
#: one feed's unread entries, newest first, stopping once its unread counter is
#: reached: read in the same statement, so a write in between cannot cut it short
#: (the counter includes unread entries a rule hid: then the whole feed is read)
_UNREAD_OF_FEED = f"""
SELECT e.id FROM entries e
LEFT JOIN entry_states st ON st.user_id = :user_id AND st.entry_id = e.id
WHERE e.feed_id = :feed_id AND (st.read IS NULL OR st.read = 0)
  AND (st.hidden IS NULL OR st.hidden = 0)
ORDER BY e.sort_at DESC, e.id DESC
LIMIT COALESCE((SELECT {_sql.UNREAD} FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
                WHERE s.user_id = :user_id AND s.feed_id = :feed_id AND {_sql.FOLLOWING}), 0)
"""

_COUNT_LISTED = f"""
SELECT
    (SELECT SUM(f.n_entries) FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
     WHERE s.user_id = :user_id AND {_sql.FOLLOWING}),
    (SELECT COUNT(*) FROM entry_states st
     JOIN entries e ON e.id = st.entry_id
     JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = st.user_id
     WHERE st.user_id = :user_id AND st.hidden = 1 AND {_sql.FOLLOWING})
"""


#: set one flag of the user's entries among ``{ids}`` that they may see
_SET_FLAG = (
    """
INSERT INTO entry_states (user_id, entry_id, read, starred, read_at, starred_at)
SELECT :user_id, e.id, {read}, {starred}, {read_at}, {starred_at}
{joins} WHERE e.id IN ({ids}) AND COALESCE(st.{flag}, 0) != :value AND """
    + _sql.VISIBLE
    + """
ON CONFLICT (user_id, entry_id) DO UPDATE SET
    {flag} = excluded.{flag}, {flag}_at = excluded.{flag}_at
WHERE entry_states.{flag} != excluded.{flag}
"""
)
_ADD_TAG = (
    """
INSERT INTO entry_tags (user_id, entry_id, tag)
SELECT :user_id, e.id, :tag
{joins} WHERE e.id IN ({ids}) AND """
    + _sql.VISIBLE
    + """
ON CONFLICT DO NOTHING
"""
)
_REMOVE_TAG = (
    "DELETE FROM entry_tags WHERE user_id = :user_id AND tag = :tag AND entry_id IN ({ids})"
)


class SqlSync(SqlStoryReading):
    """The sync half of the Store protocol (see ``tidings.ports.SyncStore``)."""

    def get_entries_by_id(
        self,
        user_id: UserId,
        *,
        after: EntryId | None = None,
        before: EntryId | None = None,
        ids: Collection[EntryId] | None = None,
        limit: int = 50,
    ) -> list[Entry]:
        params: dict[str, Any] = {"user_id": user_id, "limit": max(1, min(limit, MAX_PAGE))}
        where = [_LISTED]
        order = "ASC"
        if ids is not None:
            wanted = sorted({int(i) for i in ids})[:MAX_PAGE]
            if not wanted:
                return []
            params.update((f"i{n}", v) for n, v in enumerate(wanted))
            where.append("e.id IN (" + ", ".join(f":i{n}" for n in range(len(wanted))) + ")")
        if after is not None:
            where.append("e.id > :after")
            params["after"] = after
        if before is not None:
            where.append("e.id < :before")
            params["before"] = before
            order = "DESC" if after is None else "ASC"
        # rowids in order, stopping at the page (not every entry of the user's feeds, sorted)
        sql = _sql.user_entries(self.dialect.entries_join(Listing.NEWEST))
        sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY e.id {order} LIMIT :limit"
        return self._with_stories(user_id, [entry_from_row(r) for r in self._read(sql, params)])

    def _stream(
        self,
        columns: str,
        user_id: UserId,
        filter: EntryFilter,
        start: EntryId | None,
        oldest_first: bool,
    ) -> tuple[str, dict[str, Any]]:
        where, params = entry_where(user_id, filter)
        where += f" AND {_sql.FOLLOWING}"
        if start is not None:
            where += " AND e.id > :start" if oldest_first else " AND e.id < :start"
            params["start"] = start
        # across feeds: the rowids in order, stopping at the page; one feed or the
        # starred ones: through their own indexes
        plain = listing_of(filter) is Listing.PLAIN
        join = self.dialect.entries_join(Listing.PLAIN if plain else Listing.NEWEST)
        sql = f"SELECT {columns} {_sql.user_entry_joins(join)}{where}"
        sql += f" ORDER BY e.id {'ASC' if oldest_first else 'DESC'} LIMIT :limit"
        return sql, params

    def get_stream_ids(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        start: EntryId | None = None,
        oldest_first: bool = False,
    ) -> list[EntryId]:
        sql, params = self._stream("e.id", user_id, filter, start, oldest_first)
        params["limit"] = max(1, min(filter.limit, MAX_IDS))
        return [EntryId(r[0]) for r in self._read(sql, params)]

    def get_stream_entries(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        start: EntryId | None = None,
        oldest_first: bool = False,
    ) -> list[Entry]:
        sql, params = self._stream(_sql.USER_ENTRY_COLUMNS, user_id, filter, start, oldest_first)
        params["limit"] = max(1, min(filter.limit, MAX_PAGE))
        return self._with_stories(user_id, [entry_from_row(r) for r in self._read(sql, params)])

    def set_entry_flags(
        self,
        user_id: UserId,
        entry_ids: Sequence[EntryId],
        *,
        read: bool | None = None,
        starred: bool | None = None,
        now: datetime,
    ) -> int:
        ids = self._ids(entry_ids)
        if not ids:
            return 0
        changed = 0
        with self._write() as conn:
            for flag, value in (("read", read), ("starred", starred)):
                if value is None:
                    continue
                setting = {"read": "0", "starred": "0", "read_at": "NULL", "starred_at": "NULL"}
                setting[flag] = ":value"
                setting[f"{flag}_at"] = "CASE WHEN :value = 1 THEN :now END"
                sql = _SET_FLAG.format(
                    joins=_sql.USER_ENTRY_JOINS, ids=self._id_list(), flag=flag, **setting
                )
                params = {"user_id": user_id, "ids": ids, "value": int(value), "now": to_ts(now)}
                changed += conn.execute(sql, params).rowcount
        return changed

    def set_entry_tag(
        self, user_id: UserId, entry_ids: Sequence[EntryId], tag: str, *, tagged: bool
    ) -> int:
        ids = self._ids(entry_ids)
        if not ids or not tag.strip():
            return 0
        sql = (_ADD_TAG if tagged else _REMOVE_TAG).format(
            joins=_sql.USER_ENTRY_JOINS, ids=self._id_list()
        )
        with self._write() as conn:
            return conn.execute(sql, {"user_id": user_id, "ids": ids, "tag": tag}).rowcount

    def get_newest_crawl_times(self, user_id: UserId) -> dict[FeedId, datetime]:
        rows = self._read(
            "SELECT s.feed_id, (SELECT MAX(e.first_seen_at) FROM entries e "
            "WHERE e.feed_id = s.feed_id) FROM subscriptions s "
            f"WHERE s.user_id = :user_id AND {_sql.FOLLOWING}",
            {"user_id": user_id},
        )
        return {FeedId(r[0]): t for r in rows if (t := from_ts(r[1])) is not None}

    def get_last_refreshed(self, user_id: UserId) -> datetime | None:
        rows = self._read(
            "SELECT MAX(f.last_success_at) FROM subscriptions s JOIN feeds f ON f.id = s.feed_id "
            f"WHERE s.user_id = :user_id AND {_sql.FOLLOWING}",
            {"user_id": user_id},
        )
        return from_ts(rows[0][0]) if rows else None

    def get_site_links(self, user_id: UserId, feed_ids: Collection[FeedId]) -> dict[FeedId, str]:
        wanted = sorted({int(i) for i in feed_ids})
        if not wanted:
            return {}
        rows = self._read(
            "SELECT f.id, f.link FROM subscriptions s JOIN feeds f ON f.id = s.feed_id "
            f"WHERE s.user_id = :user_id AND {_sql.FOLLOWING} AND f.link IS NOT NULL "
            f"AND f.link != '' AND f.id IN ({self._id_list()})",
            {"user_id": user_id, "ids": json.dumps(wanted)},
        )
        return {FeedId(r[0]): str(r[1]) for r in rows}

    def get_tags(self, user_id: UserId) -> list[str]:
        rows = self._read(
            "SELECT DISTINCT tag FROM entry_tags WHERE user_id = ? ORDER BY tag", (user_id,)
        )
        return [str(r[0]) for r in rows]

    def rename_label(self, user_id: UserId, old: str, new: str) -> bool:
        if not new.strip() or old == new:
            return False
        found = False
        with self._write() as conn:
            p = {"user_id": user_id, "old": old, "new": new}
            old_id = conn.execute(
                "SELECT id FROM categories WHERE user_id = :user_id AND name = :old", p
            ).fetchone()
            if old_id is not None:
                found = True
                conn.execute(
                    "INSERT INTO categories (user_id, name) VALUES (:user_id, :new) "
                    "ON CONFLICT DO NOTHING",
                    p,
                )
                conn.execute(
                    "UPDATE subscriptions SET category_id = (SELECT id FROM categories "
                    "WHERE user_id = :user_id AND name = :new) "
                    "WHERE user_id = :user_id AND category_id = :old_id",
                    {**p, "old_id": old_id[0]},
                )
                conn.execute("DELETE FROM categories WHERE id = :old_id", {"old_id": old_id[0]})
            moved = conn.execute(
                "INSERT INTO entry_tags (user_id, entry_id, tag) SELECT user_id, entry_id, :new "
                "FROM entry_tags WHERE user_id = :user_id AND tag = :old ON CONFLICT DO NOTHING",
                p,
            ).rowcount
            gone = conn.execute(
                "DELETE FROM entry_tags WHERE user_id = :user_id AND tag = :old", p
            ).rowcount
            conn.execute(
                "UPDATE entry_states SET category = :new WHERE user_id = :user_id "
                "AND category = :old",
                p,
            )
        return found or bool(moved or gone)

    def delete_label(self, user_id: UserId, name: str) -> bool:
        p = {"user_id": user_id, "name": name}
        with self._write() as conn:
            conn.execute(
                "UPDATE subscriptions SET category_id = NULL WHERE user_id = :user_id "
                "AND category_id IN (SELECT id FROM categories WHERE user_id = :user_id "
                "AND name = :name)",
                p,
            )
            folders = conn.execute(
                "DELETE FROM categories WHERE user_id = :user_id AND name = :name", p
            ).rowcount
            tags = conn.execute(
                "DELETE FROM entry_tags WHERE user_id = :user_id AND tag = :name", p
            ).rowcount
            conn.execute(
                "UPDATE entry_states SET category = NULL WHERE user_id = :user_id "
                "AND category = :name",
                p,
            )
        return bool(folders or tags)

    def _id_list(self) -> str:
        return self.dialect.id_list.format(param=":ids")

    @staticmethod
    def _ids(entry_ids: Sequence[EntryId]) -> str:
        ids = sorted({int(i) for i in entry_ids})
        if len(ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} entries at once, not {len(ids)}")
        return json.dumps(ids) if ids else ""

    def get_entry_ids(
        self, user_id: UserId, *, unread: bool = False, starred: bool = False
    ) -> list[EntryId]:
        if starred:  # few: through the starred index
            where = [_LISTED, "st.starred = 1"]
            if unread:
                where.append("(st.read IS NULL OR st.read = 0)")
            sql = f"SELECT e.id {_sql.USER_ENTRY_JOINS} WHERE {' AND '.join(where)} ORDER BY e.id"
            return [EntryId(r[0]) for r in self._read(sql, {"user_id": user_id})]
        params: dict[str, Any] = {"user_id": user_id}
        if unread:
            # many (Reeder asks for 50,000 unread of a million): each feed with unread
            # entries walked newest first, only as far as its unread counter says: the
            # unread ones are mostly the newest, so most of the read ones are never
            # looked at (1.4 s -> 0.05 s for 50,000 unread of 1,000,000)
            found: list[int] = []
            for (feed_id,) in self._read(_UNREAD_FEEDS, params):
                rows = self._read(_UNREAD_OF_FEED, {**params, "feed_id": feed_id})
                found.extend(r[0] for r in rows)
            return [EntryId(i) for i in sorted(found)]
        # every listed id: two index-only scans, the followed feeds' entry ids less the
        # user's hidden ones, instead of a state lookup each
        every = self._read(_FOLLOWED_IDS, params)
        left = {r[0] for r in self._read(f"{_STATE_IDS} AND st.hidden = 1", params)}
        return [EntryId(i) for i in sorted(r[0] for r in every) if i not in left]

    def count_listed_entries(self, user_id: UserId) -> int:
        # the feeds' entry counters (kept by triggers) less what the user's rules hid:
        # no walk over a million entries for each page of items
        rows = self._read(_COUNT_LISTED, {"user_id": user_id})
        return max(0, int(rows[0][0] or 0) - int(rows[0][1] or 0))

    def get_category_ids(self, user_id: UserId) -> list[tuple[int, str]]:
        rows = self._read(
            "SELECT id, name FROM categories WHERE user_id = ? ORDER BY LOWER(name), id",
            (user_id,),
        )
        return [(int(r[0]), str(r[1])) for r in rows]
