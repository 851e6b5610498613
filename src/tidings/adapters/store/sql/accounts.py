"""Accounts: users, password hashes, sessions and per-user settings.

Passwords arrive here already hashed (argon2, ``tidings.aggregator.accounts``) and session
tokens as their SHA-256: the store never sees a secret it could leak.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tidings.adapters.store.sql.db import Row, SqlDb
from tidings.adapters.store.sql.rows import to_ts
from tidings.errors import AccountError, NotFoundError
from tidings.model import ApiLogin, User, UserId

_USER = "SELECT id, name, is_admin, password_hash IS NOT NULL AS has_password FROM users"
_API_LOGIN = (
    "SELECT id, name, is_admin, password_hash IS NOT NULL, api_password_hash, fever_key_hash, "
    "api_generation FROM users"
)


def _user(row: Row) -> User:
    return User(UserId(row[0]), row[1], bool(row[2]), bool(row[3]))


def _api_login(row: Row) -> ApiLogin:
    return ApiLogin(_user(row), row[4], row[5], int(row[6]))


class SqlAccounts(SqlDb):
    """The account half of the Store protocol (see ``tidings.ports.AccountStore``)."""

    def get_user(self, user_id: UserId) -> User:
        rows = self._read(_USER + " WHERE id = ?", (user_id,))
        if not rows:
            raise NotFoundError(f"no user {user_id}")
        return _user(rows[0])

    def get_users(self) -> list[User]:
        return [_user(r) for r in self._read(_USER + " ORDER BY LOWER(name)")]

    def has_passwords(self) -> bool:
        return bool(self._read("SELECT 1 FROM users WHERE password_hash IS NOT NULL LIMIT 1"))

    def get_password_hash(self, name: str) -> tuple[UserId, str | None] | None:
        rows = self._read("SELECT id, password_hash FROM users WHERE name = ?", (name,))
        return (UserId(rows[0][0]), rows[0][1]) if rows else None

    def create_user(self, name: str, password_hash: str, *, is_admin: bool, now: datetime) -> User:
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[1] is not None:
                raise AccountError(f"user {name!r} already exists")
            if row is None:
                conn.execute(
                    "INSERT INTO users (name, password_hash, is_admin, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (name, password_hash, int(is_admin), to_ts(now)),
                )
            else:
                conn.execute(
                    "UPDATE users SET password_hash = ?, "
                    "is_admin = CASE WHEN ? = 1 THEN 1 ELSE is_admin END WHERE id = ?",
                    (password_hash, int(is_admin), row[0]),
                )
        found = self.get_password_hash(name)
        assert found is not None
        return self.get_user(found[0])

    def claim_first_admin(self, name: str, password_hash: str, *, now: datetime) -> User | None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE password_hash IS NOT NULL").fetchone():
                return None
            conn.execute(
                "INSERT INTO users (name, password_hash, is_admin, created_at) "
                "VALUES (?, ?, 1, ?) ON CONFLICT (name) DO UPDATE SET "
                "password_hash = excluded.password_hash, is_admin = 1",
                (name, password_hash, to_ts(now)),
            )
            user_id = conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0]
        return self.get_user(UserId(user_id))

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"no user {user_id}")
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    # API passwords (#12)

    def set_api_password(
        self, user_id: UserId, password_hash: str | None, fever_key_hash: str | None
    ) -> int:
        with self._write() as conn:
            row = conn.execute(
                "UPDATE users SET api_password_hash = ?, fever_key_hash = ?, "
                "api_generation = api_generation + 1 WHERE id = ? RETURNING api_generation",
                (password_hash, fever_key_hash, user_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no user {user_id}")
            conn.execute("DELETE FROM api_tokens WHERE user_id = ?", (user_id,))
            return int(row[0])

    def add_api_token(
        self, user_id: UserId, token_hash: str, *, generation: int, now: datetime
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO api_tokens (token_hash, user_id, generation, created_at) "
                "SELECT ?, id, ?, ? FROM users WHERE id = ? AND api_generation = ?",
                (token_hash, generation, to_ts(now), user_id, generation),
            )

    def get_api_token_user(self, token_hash: str) -> User | None:
        rows = self._read(
            "SELECT u.id, u.name, u.is_admin, u.password_hash IS NOT NULL FROM api_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? "
            "AND t.generation = u.api_generation AND u.api_password_hash IS NOT NULL",
            (token_hash,),
        )
        return _user(rows[0]) if rows else None

    def get_api_login(self, name: str) -> ApiLogin | None:
        rows = self._read(_API_LOGIN + " WHERE name = ?", (name,))
        return _api_login(rows[0]) if rows else None

    def get_api_login_by_fever_key(self, fever_key_hash: str) -> ApiLogin | None:
        rows = self._read(_API_LOGIN + " WHERE fever_key_hash = ?", (fever_key_hash,))
        return _api_login(rows[0]) if rows else None

    def get_api_generation(self, user_id: UserId) -> int:
        rows = self._read("SELECT api_generation FROM users WHERE id = ?", (user_id,))
        if not rows:
            raise NotFoundError(f"no user {user_id}")
        return int(rows[0][0])

    def get_server_secret(self, name: str, new_value: str) -> str:
        rows = self._read("SELECT value FROM server_secrets WHERE name = ?", (name,))
        if rows:
            return str(rows[0][0])
        with self._write() as conn:
            conn.execute(
                "INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (name, new_value),
            )
            row = conn.execute(
                "SELECT value FROM server_secrets WHERE name = ?", (name,)
            ).fetchone()
        return str(row[0])

    # sessions

    def add_session(
        self, user_id: UserId, token_hash: str, *, now: datetime, expires: datetime
    ) -> None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                raise NotFoundError(f"no user {user_id}")
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_ts(now),))
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (token_hash, user_id, to_ts(now), to_ts(expires)),
            )

    def get_session_user(self, token_hash: str, *, now: datetime) -> User | None:
        rows = self._read(
            "SELECT u.id, u.name, u.is_admin, u.password_hash IS NOT NULL FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, to_ts(now)),
        )
        return _user(rows[0]) if rows else None

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # settings

    def get_user_settings(self, user_id: UserId) -> dict[str, Any]:
        rows = self._read("SELECT settings FROM users WHERE id = ?", (user_id,))
        if not rows:
            raise NotFoundError(f"no user {user_id}")
        try:
            value = json.loads(rows[0][0] or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_user_settings(self, user_id: UserId, values: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE users SET settings = ? WHERE id = ?", (json.dumps(values), user_id)
            )

    # time zone (#15)

    def get_time_zone(self, user_id: UserId) -> str | None:
        rows = self._read("SELECT time_zone FROM users WHERE id = ?", (user_id,))
        if not rows:
            raise NotFoundError(f"no user {user_id}")
        zone = rows[0][0]
        return str(zone) if zone is not None else None

    def set_time_zone(self, user_id: UserId, name: str | None, *, if_unset: bool = False) -> None:
        with self._write() as conn:
            found = conn.execute("SELECT time_zone FROM users WHERE id = ?", (user_id,)).fetchone()
            if found is None:
                raise NotFoundError(f"no user {user_id}")
            if if_unset and found[0] is not None:
                return
            conn.execute("UPDATE users SET time_zone = ? WHERE id = ?", (name, user_id))
