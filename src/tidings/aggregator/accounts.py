"""Accounts: users, argon2 passwords, server-side sessions and reader settings.

Part of the ``Aggregator`` facade (``agg.accounts``); the web app and the CLI
use it and never the store. Passwords are hashed with argon2id (argon2-cffi's
``PasswordHasher``, RFC 9106 low-memory profile) after a length check, so a
megabyte password costs nothing (HOSTILE E3). A session token is 32 random
bytes; only its SHA-256 is stored (HOSTILE E4, E13).

API passwords (#12) are separate from the web password, for the apps that sync
over the Fever and Google Reader APIs: an argon2 hash for Google Reader's
ClientLogin, and Fever's key (md5 of ``name:password``, which the apps send as
``api_key``) kept only as an HMAC-SHA256 under a server secret Tidings makes
once, found by that keyed hash and compared with ``hmac.compare_digest``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tidings.errors import AccountError
from tidings.model import ApiLogin, User, UserId
from tidings.ports import AccountStore

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # characters; checked before hashing
SESSION_DAYS = 30
_NAME = re.compile(r"^[\w.@+-]{1,64}$", re.UNICODE)
THEMES = ("system", "light", "dark")
API_SECRET = "api-key-hmac"  # the server secret's name in the store
_FEVER_KEY = re.compile(r"^[0-9a-fA-F]{32}$")
GENERATED_PASSWORD_BYTES = 18  # 24 URL-safe characters
MAX_TOKEN = 100
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


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


def check_time_zone(name: str) -> str:
    """An IANA time zone name zoneinfo knows ("Europe/Paris"), else ``AccountError``."""
    name = (name or "").strip()
    if not name or len(name) > 64 or name not in time_zones():
        raise AccountError(f"Not a time zone: {name[:64]!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(f"Not a time zone: {name!r}") from None
    return name


@functools.lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name zoneinfo knows, sorted (read once: it walks the files)."""
    return tuple(sorted(available_timezones() | {"UTC"}))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise AccountError("A user name is 1–64 letters, digits or . @ + - _")
    return name


def fever_key(name: str, password: str) -> str:
    """Fever's ``api_key`` for this user name and API password: md5 of
    ``name:password``, lowercase hex (as Read You and Fluent Reader compute it)."""
    return hashlib.md5(f"{name}:{password}".encode()).hexdigest()


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
        self._secret: bytes | None = None

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

    # API passwords (#12)

    def set_api_password(self, user_id: UserId, password: str | None) -> None:
        """Set (None: remove) the user's API password; every API session of the user ends."""
        if password is None:
            self.store.set_api_password(user_id, None, None)
            return
        name = self.store.get_user(user_id).name
        password_hash = self.hasher.hash(check_password(password))
        self.store.set_api_password(user_id, password_hash, self._keyed(fever_key(name, password)))

    @staticmethod
    def generate_api_password() -> str:
        """A new random API password (24 URL-safe characters, easy to paste into an app)."""
        return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)

    def api_login(self, name: str, password: str) -> ApiLogin | None:
        """The user's API login if this is their API password (Google Reader's
        ClientLogin); the same work is done for unknown users and wrong passwords."""
        if len(password) > MAX_PASSWORD:
            return None
        found = self.store.get_api_login((name or "").strip())
        stored = found.password_hash if found else None
        try:
            self.hasher.verify(stored or self._dummy(), password)
        except (VerificationError, InvalidHashError):
            return None
        return found if stored is not None else None

    def fever_user(self, api_key: str | None) -> User | None:
        """The user whose Fever key this is (any case), or None."""
        if not api_key or not _FEVER_KEY.match(api_key):
            return None
        keyed = self._keyed(api_key.lower())
        found = self.store.get_api_login_by_fever_key(keyed)
        stored = found.fever_key_hash if found else None
        if found is None or stored is None or not hmac.compare_digest(stored, keyed):
            return None
        return found.user

    def has_api_password(self, user_id: UserId) -> bool:
        found = self.store.get_api_login(self.store.get_user(user_id).name)
        return found is not None and found.password_hash is not None

    def api_generation(self, user_id: UserId) -> int:
        """The user's API generation: a token naming an older one is dead."""
        return self.store.get_api_generation(user_id)

    def issue_api_token(self, login: ApiLogin) -> str:
        """A new Google Reader token for this API login (after ``api_login``): 32
        random bytes, URL-safe (never ``= & + %`` or a space); only its hash is kept,
        and it dies when the API password changes."""
        token = secrets.token_urlsafe(32)
        self.store.add_api_token(
            login.user.id, hash_token(token), generation=login.generation, now=_now()
        )
        return token

    def api_token_user(self, token: str) -> User | None:
        """The user of a live Google Reader token, or None."""
        if not token or len(token) > MAX_TOKEN or not _TOKEN.match(token):
            return None
        return self.store.get_api_token_user(hash_token(token))

    def edit_token(self, token: str) -> str:
        """Google Reader's ``T`` for an auth token: derived, so nothing more is stored
        (40 hex digits)."""
        return self._keyed("edit-token:" + hash_token(token))[:40]

    def sign(self, purpose: str, value: str) -> str:
        """A keyed signature of ``value`` for ``purpose`` (32 hex digits), for URLs that
        must work without a session (an app's icon URL)."""
        return self._keyed(f"{purpose}:{value}")[:32]

    def _keyed(self, value: str) -> str:
        return hmac.new(self._api_secret(), value.encode(), hashlib.sha256).hexdigest()

    def _api_secret(self) -> bytes:
        if self._secret is None:
            stored = self.store.get_server_secret(API_SECRET, secrets.token_hex(32))
            self._secret = stored.encode()
        return self._secret

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

    # time zone (#15)

    def get_time_zone(self, user_id: UserId) -> str:
        """The zone the user's times are shown in: theirs, else UTC."""
        return self.store.get_time_zone(user_id) or "UTC"

    def set_time_zone(self, user_id: UserId, name: str) -> None:
        """The user's choice (Settings); ``AccountError`` if zoneinfo does not know it."""
        self.store.set_time_zone(user_id, check_time_zone(name))

    def offer_time_zone(self, user_id: UserId, name: str | None) -> None:
        """The browser's zone at sign-in: kept only while the user has none, and
        ignored if it is no zone zoneinfo knows."""
        try:
            zone = check_time_zone(name or "")
        except AccountError:
            return
        self.store.set_time_zone(user_id, zone, if_unset=True)


def _now() -> datetime:
    return datetime.now(UTC)
