"""Saved searches (issue #15; migration 0018): a name and a query per row, the
name unique per user by its casefolded key. The caller checks the name and the
query; every statement is scoped to the user."""

from __future__ import annotations

from datetime import datetime

from tidings.adapters.store.sql.db import Conn, Row, SqlDb
from tidings.adapters.store.sql.rows import from_ts, to_ts
from tidings.errors import NotFoundError, SavedSearchTakenError
from tidings.model import SavedSearch, UserId

_SAVED = "SELECT id, user_id, name, query, created_at, name_key FROM saved_searches"

ADD = """
INSERT INTO saved_searches (user_id, name, name_key, query, created_at)
VALUES (:user_id, :name, :name_key, :query, :now)
ON CONFLICT (user_id, name_key) DO NOTHING RETURNING id
"""


def name_key(name: str) -> str:
    """What makes two names the same name: their casefolded text."""
    return name.casefold()


def _saved(row: Row) -> SavedSearch:
    created = from_ts(row[4])
    assert created is not None
    return SavedSearch(int(row[0]), UserId(row[1]), row[2], row[3], created)


def _taken(name: str) -> SavedSearchTakenError:
    return SavedSearchTakenError(f'You already have a saved search called "{name}".')


class SqlSavedSearches(SqlDb):
    """The saved-search half of the Store protocol (see ``tidings.ports.SavedSearchStore``)."""

    def get_saved_searches(self, user_id: UserId) -> list[SavedSearch]:
        rows = self._read(_SAVED + " WHERE user_id = ?", (user_id,))
        # sorted here: the engines' collations order text differently
        return [_saved(r) for r in sorted(rows, key=lambda r: (r[5], r[0]))]

    def add_saved_search(
        self, user_id: UserId, name: str, query: str, *, now: datetime
    ) -> SavedSearch:
        key = name_key(name)
        params = {
            "user_id": user_id,
            "name": name,
            "name_key": key,
            "query": query,
            "now": to_ts(now),
        }
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                raise NotFoundError(f"no user {user_id}")
            row = conn.execute(ADD, params).fetchone()
            if row is None:
                raise _taken(self._name_taken(conn, user_id, key) or name)
            return self._one(conn, user_id, int(row[0]))

    def rename_saved_search(self, user_id: UserId, saved_id: int, name: str) -> SavedSearch:
        key = name_key(name)
        with self._write() as conn:
            self._one(conn, user_id, saved_id)
            other = self._name_taken(conn, user_id, key, saved_id)
            if other is not None:
                raise _taken(other)
            conn.execute(
                "UPDATE saved_searches SET name = ?, name_key = ? WHERE id = ? AND user_id = ?",
                (name, key, saved_id, user_id),
            )
            return self._one(conn, user_id, saved_id)

    def remove_saved_search(self, user_id: UserId, saved_id: int) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM saved_searches WHERE id = ? AND user_id = ?", (saved_id, user_id)
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"no saved search {saved_id}")

    def _name_taken(
        self, conn: Conn, user_id: UserId, key: str, saved_id: int | None = None
    ) -> str | None:
        """The name of the user's saved search (but ``saved_id``) with this key, if any."""
        row = conn.execute(
            "SELECT name FROM saved_searches WHERE user_id = ? AND name_key = ? AND id <> ?",
            (user_id, key, -1 if saved_id is None else saved_id),
        ).fetchone()
        return None if row is None else str(row[0])

    def _one(self, conn: Conn, user_id: UserId, saved_id: int) -> SavedSearch:
        row = conn.execute(_SAVED + " WHERE id = ? AND user_id = ?", (saved_id, user_id)).fetchone()
        if row is None:
            raise NotFoundError(f"no saved search {saved_id}")
        return _saved(row)
