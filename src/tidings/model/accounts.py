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
