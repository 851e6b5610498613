"""Publishing (issue #14; migration 0013): each user's publish token and the public
publications an administrator made."""

from __future__ import annotations

from datetime import datetime

from tidings.adapters.store.sql.db import Row, SqlDb
from tidings.adapters.store.sql.rows import from_ts, to_ts
from tidings.errors import NotFoundError, PublicationError
from tidings.model import Publication, User, UserId

_PUBLICATION = "SELECT id, slug, user_id, selection, full_text, title, created_at FROM publications"

SET_TOKEN = """
INSERT INTO publish_tokens (user_id, token, created_at) VALUES (:user_id, :token, :now)
ON CONFLICT (user_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at
"""


def _publication(row: Row) -> Publication:
    created = from_ts(row[6])
    assert created is not None
    return Publication(
        id=int(row[0]),
        slug=row[1],
        user_id=UserId(row[2]),
        selection=row[3],
        full_text=bool(row[4]),
        created_at=created,
        title=row[5],
    )


class SqlPublishing(SqlDb):
    """The publishing half of the Store protocol (see ``tidings.ports.PublishStore``)."""

    def get_publish_token(self, user_id: UserId) -> str | None:
        rows = self._read("SELECT token FROM publish_tokens WHERE user_id = ?", (user_id,))
        return str(rows[0][0]) if rows else None

    def set_publish_token(self, user_id: UserId, token: str, *, now: datetime) -> None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                raise NotFoundError(f"no user {user_id}")
            conn.execute(SET_TOKEN, {"user_id": user_id, "token": token, "now": to_ts(now)})

    def get_publish_token_user(self, token: str) -> User | None:
        rows = self._read(
            "SELECT u.id, u.name, u.is_admin, u.password_hash IS NOT NULL FROM publish_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token = ?",
            (token,),
        )
        if not rows:
            return None
        row = rows[0]
        return User(UserId(row[0]), row[1], bool(row[2]), bool(row[3]))

    def add_publication(
        self,
        user_id: UserId,
        slug: str,
        selection: str,
        *,
        full_text: bool,
        now: datetime,
        title: str | None = None,
    ) -> Publication:
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO publications (slug, user_id, selection, full_text, title, created_at) "
                "VALUES (:slug, :user_id, :selection, :full_text, :title, :now) "
                "ON CONFLICT (slug) DO NOTHING RETURNING id",
                {
                    "slug": slug,
                    "user_id": user_id,
                    "selection": selection,
                    "full_text": int(full_text),
                    "title": title,
                    "now": to_ts(now),
                },
            ).fetchone()
            if row is None:
                raise PublicationError(f"a publication called {slug!r} exists already")
        return self.get_publication(slug)

    def get_publications(self) -> list[Publication]:
        return [_publication(r) for r in self._read(_PUBLICATION + " ORDER BY slug")]

    def get_publication(self, slug: str) -> Publication:
        rows = self._read(_PUBLICATION + " WHERE slug = ?", (slug,))
        if not rows:
            raise NotFoundError(f"no publication {slug!r}")
        return _publication(rows[0])

    def remove_publication(self, slug: str) -> None:
        with self._write() as conn:
            cur = conn.execute("DELETE FROM publications WHERE slug = ?", (slug,))
            if cur.rowcount == 0:
                raise NotFoundError(f"no publication {slug!r}")
