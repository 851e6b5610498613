"""What both engines' full-text search share: the ``feed:`` and ``category:``
filters, and the listing of a query without words (no full-text index needed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.db import SqlDb
from tidings.adapters.store.sql.rows import entry_from_row
from tidings.content.text import plain_text
from tidings.core.search import SearchHit, SearchQuery
from tidings.model import EntryUpdate, FeedId, UserId

__all__ = [
    "ALLOWED_FEEDS",
    "SqlSearchFilters",
    "index_rows",
    "like_pattern",
    "search_filters",
    "search_params",
    "tag_filters",
]

MAX_OFFSET = 1000  # a search pages at most this deep

#: the user's feeds a search's ``feed:`` and ``category:`` filters allow
ALLOWED_FEEDS = """
SELECT s.feed_id FROM subscriptions s
JOIN feeds f ON f.id = s.feed_id
LEFT JOIN categories c ON c.id = s.category_id
WHERE s.user_id = :user_id {filters}
"""


def index_rows(
    feed_id: FeedId, entries: Sequence[EntryUpdate], clean: Callable[[str], str] = str
) -> list[dict[str, Any]]:
    """The searchable text of ``entries`` (title, body), as both engines index it;
    ``clean`` takes out what an engine's text cannot hold."""
    return [
        {
            "feed_id": feed_id,
            "guid": e.data.id,
            "title": clean(plain_text(e.data.title)),
            "body": clean(
                e.search_text
                if e.search_text is not None
                else plain_text(e.data.content or e.data.summary)
            ),
        }
        for e in entries
    ]


def search_params(user_id: UserId, limit: int, offset: int) -> dict[str, Any]:
    """A search's bound parameters, its page clamped (at most 200, at most MAX_OFFSET deep)."""
    return {
        "user_id": user_id,
        "limit": max(1, min(limit, 200)),
        "offset": max(0, min(offset, MAX_OFFSET)),
    }


def like_pattern(value: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern for "contains ``value``"."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_filters(query: SearchQuery, params: dict[str, Any]) -> str:
    """SQL for the ``feed:`` and ``category:`` filters (values bound, never inlined)."""
    clauses: list[str] = []
    feeds = []
    for i, name in enumerate(query.feeds):
        params[f"feed{i}"] = like_pattern(name)
        feeds.append(
            f"(LOWER(COALESCE(s.title, f.title, '')) LIKE :feed{i} ESCAPE '\\' "
            f"OR LOWER(f.url) LIKE :feed{i} ESCAPE '\\')"
        )
    if feeds:
        clauses.append("(" + " OR ".join(feeds) + ")")
    cats = []
    for i, name in enumerate(query.categories):
        params[f"cat{i}"] = like_pattern(name)
        cats.append(f"LOWER(c.name) LIKE :cat{i} ESCAPE '\\'")
    if cats:
        clauses.append("(" + " OR ".join(cats) + ")")
    return "".join(f" AND {c}" for c in clauses)


def tag_filters(query: SearchQuery, params: dict[str, Any]) -> str:
    """SQL for the ``tag:`` filters: the entry ``e`` is tagged with each by the user."""
    clauses = []
    for i, name in enumerate(query.tags):
        params[f"tag{i}"] = name.lower()
        clauses.append(
            " AND EXISTS (SELECT 1 FROM entry_tags t WHERE t.user_id = :user_id "
            f"AND t.entry_id = e.id AND LOWER(t.tag) = :tag{i})"
        )
    return "".join(clauses)


class SqlSearchFilters(SqlDb):
    """A search without words: the user's entries the filters allow, newest first."""

    def _filtered_listing(self, filters: str, params: dict[str, Any]) -> list[SearchHit]:
        sql = (
            _sql.USER_ENTRIES
            + f" WHERE {_sql.VISIBLE}"
            + filters
            + " ORDER BY e.sort_at DESC, e.id DESC LIMIT :limit OFFSET :offset"
        )
        hits = []
        for row in self._read(sql, params):
            entry = entry_from_row(row)
            hits.append(SearchHit(entry, entry.title or "", plain_text(entry.summary)[:300]))
        return hits
