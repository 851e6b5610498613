"""Users."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.model.ids import UserId


@dataclass(frozen=True, slots=True)
class User:
    """An account; the password hash never leaves the store through this type."""

    id: UserId
    name: str
    is_admin: bool = False
    has_password: bool = False


@dataclass(frozen=True, slots=True)
class ApiLogin:
    """What the store keeps of a user's API password (issue #12): its argon2 hash,
    the keyed hash of its Fever key, and the generation every API token names."""

    user: User
    password_hash: str | None
    fever_key_hash: str | None
    generation: int
