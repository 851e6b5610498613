"""Accounts: users, argon2 passwords, server-side sessions and reader settings.

Part of the ``Aggregator`` facade (``agg.accounts``); the web app and the CLI
use it and never the store. Passwords are hashed with argon2id (argon2-cffi's
``PasswordHasher``, RFC 9106 low-memory profile) after a length check, so a
megabyte password costs nothing (HOSTILE E3). A session token is 32 random
bytes; only its SHA-256 is stored (HOSTILE E4, E13).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tidings.errors import AccountError
from tidings.model import User, UserId
from tidings.ports import AccountStore

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # characters; checked before hashing
SESSION_DAYS = 30
_NAME = re.compile(r"^[\w.@+-]{1,64}$", re.UNICODE)
THEMES = ("system", "light", "dark")


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """Per-user reader preferences."""

    mark_read_on_open: bool = True
    mark_read_on_scroll: bool = False
    theme: str = "system"  # system | light | dark

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReaderSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        settings = cls(**values)
        if settings.theme not in THEMES:
            settings = cls(settings.mark_read_on_open, settings.mark_read_on_scroll, "system")
        return settings


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise AccountError("A user name is 1–64 letters, digits or . @ + - _")
    return name


def check_password(password: str) -> str:
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password can be at most {MAX_PASSWORD} characters.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    return password


class Accounts:
    """Users, passwords and sessions over an ``AccountStore``."""

    def __init__(self, store: AccountStore, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    # users

    def needs_setup(self) -> bool:
        """True until some user has a password: the web app then shows its setup page."""
        return not self.store.has_passwords()

    def setup_admin(self, name: str, password: str) -> User:
        """Create the first admin; refused once any user has a password."""
        user = self.store.claim_first_admin(
            check_name(name), self.hasher.hash(check_password(password)), now=_now()
        )
        if user is None:
            raise AccountError("Tidings is already set up; sign in instead.")
        return user

    def add_user(self, name: str, password: str, *, is_admin: bool = False) -> User:
        password_hash = self.hasher.hash(check_password(password))
        return self.store.create_user(
            check_name(name), password_hash, is_admin=is_admin, now=_now()
        )

    def set_password(self, user_id: UserId, password: str) -> None:
        """Change the password; every session of the user ends."""
        self.store.set_password_hash(user_id, self.hasher.hash(check_password(password)))

    def get_users(self) -> list[User]:
        return self.store.get_users()

    def get_user(self, user_id: UserId) -> User:
        return self.store.get_user(user_id)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is right; the same work is done for unknown users."""
        if len(password) > MAX_PASSWORD:
            return None
        found = self.store.get_password_hash((name or "").strip())
        stored = found[1] if found else None
        try:
            self.hasher.verify(stored or self._dummy(), password)
        except (VerificationError, InvalidHashError):
            return None
        if found is None or stored is None:
            return None
        user_id = found[0]
        if self.hasher.check_needs_rehash(stored):
            self.store.set_password_hash(user_id, self.hasher.hash(password))
        return self.store.get_user(user_id)

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    # sessions

    def start_session(self, user_id: UserId) -> str:
        """A new session token for the cookie (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        self.store.add_session(
            user_id, hash_token(token), now=now, expires=now + timedelta(days=SESSION_DAYS)
        )
        return token

    def session_user(self, token: str | None) -> User | None:
        if not token or len(token) > 128:
            return None
        return self.store.get_session_user(hash_token(token), now=_now())

    def end_session(self, token: str | None) -> None:
        if token and len(token) <= 128:
            self.store.delete_session(hash_token(token))

    # settings

    def get_settings(self, user_id: UserId) -> ReaderSettings:
        return ReaderSettings.from_dict(self.store.get_user_settings(user_id))

    def set_settings(self, user_id: UserId, settings: ReaderSettings) -> None:
        self.store.set_user_settings(user_id, asdict(settings))


def _now() -> datetime:
    return datetime.now(UTC)
