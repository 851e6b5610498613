"""Publications (#14): a selection of one user's stories, published by an administrator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.model.ids import UserId


@dataclass(frozen=True, slots=True)
class Publication:
    """A public publication: ``selection`` (``all``, ``category/NAME``, ...) of the
    stories ``user_id`` sees, readable without an account at ``/p/<slug>``."""

    id: int
    slug: str
    user_id: UserId
    selection: str
    full_text: bool  # False: each item carries the lead and the link only (an excerpt)
    created_at: datetime
    title: str | None = None
