"""Saved searches (#15): a query in the search language, named by its user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.model.ids import UserId


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """One user's saved search: ``query`` (``tidings.core.search`` syntax) under
    ``name``, unique for that user whatever its case."""

    id: int
    user_id: UserId
    name: str
    query: str
    created_at: datetime
