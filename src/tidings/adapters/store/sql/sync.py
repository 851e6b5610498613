"""Sync: what the apps' APIs (Fever, Google Reader) read: entries in id order,
complete id lists, folders with their ids (#12).

Scoped by ``user_id`` like every reading query; only entries of feeds the user
follows are listed (an API item must name a feed the API lists), never hidden ones.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.db import SqlDb
from tidings.adapters.store.sql.dialect import Listing
from tidings.adapters.store.sql.rows import entry_from_row
from tidings.model import Entry, EntryId, UserId

MAX_PAGE = 1000  # entries per call
#: the entries an API lists: followed feeds, not dropped by the user's rules
_LISTED = f"COALESCE(st.hidden, 0) = 0 AND {_sql.FOLLOWING}"


_FOLLOWED_IDS = f"""
SELECT e.id FROM subscriptions s JOIN entries e ON e.feed_id = s.feed_id
WHERE s.user_id = :user_id AND {_sql.FOLLOWING}
"""
_STATE_IDS = "SELECT st.entry_id FROM entry_states st WHERE st.user_id = :user_id"

_COUNT_LISTED = f"""
SELECT
    (SELECT SUM(f.n_entries) FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
     WHERE s.user_id = :user_id AND {_sql.FOLLOWING}),
    (SELECT COUNT(*) FROM entry_states st
     JOIN entries e ON e.id = st.entry_id
     JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = st.user_id
     WHERE st.user_id = :user_id AND st.hidden = 1 AND {_sql.FOLLOWING})
"""


class SqlSync(SqlDb):
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
        return [entry_from_row(r) for r in self._read(sql, params)]

    def get_entry_ids(
        self, user_id: UserId, *, unread: bool = False, starred: bool = False
    ) -> list[EntryId]:
        if starred:  # few: through the starred index
            where = [_LISTED, "st.starred = 1"]
            if unread:
                where.append("COALESCE(st.read, 0) = 0")
            sql = f"SELECT e.id {_sql.USER_ENTRY_JOINS} WHERE {' AND '.join(where)} ORDER BY e.id"
            return [EntryId(r[0]) for r in self._read(sql, {"user_id": user_id})]
        # many (Reeder asks for 50,000 unread): two index-only scans, the followed feeds'
        # entry ids less the user's read (or hidden) ones, instead of a state lookup each
        params = {"user_id": user_id}
        every = self._read(_FOLLOWED_IDS, params)
        gone = "st.hidden = 1" + (" OR st.read = 1" if unread else "")
        left = {r[0] for r in self._read(f"{_STATE_IDS} AND ({gone})", params)}
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
