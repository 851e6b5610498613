"""Saved searches (#15): a user's queries, named, listed in the web reader's sidebar.

Part of the ``Aggregator`` facade (``agg.searches``). A saved search is a query in
the search language (``tidings.core.search``) under a name of its user's choosing
(by default the query itself). Saving checks both: a query that cannot run is
refused with the search's own message (``SearchQueryError``); a name is cleaned
of control characters and runs of spaces, at most ``MAX_NAME`` characters, and
unique for its user whatever its case (``SavedSearchError``). Everything is
scoped to the user: another user's saved search is ``NotFoundError``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tidings.core.search import MAX_QUERY_CHARS, parse_query
from tidings.errors import NotFoundError, SavedSearchError, SearchQueryError
from tidings.model import SavedSearch, UserId
from tidings.ports import SavedSearchStore

__all__ = ["MAX_NAME", "MAX_SAVED", "SavedSearches", "clean_text"]

MAX_NAME = 100  # characters of a name (a longer query's default name is cut to it)
MAX_SAVED = 100  # saved searches per user
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` with control characters as spaces, runs of spaces as one, trimmed."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def default_name(query: str) -> str:
    """A query as a name: itself, or its first ``MAX_NAME`` characters with an ellipsis."""
    return query if len(query) <= MAX_NAME else query[: MAX_NAME - 1].rstrip() + "…"


class SavedSearches:
    """One user's saved searches."""

    def __init__(self, store: SavedSearchStore) -> None:
        self.store = store

    def get_saved_searches(self, user: UserId) -> list[SavedSearch]:
        """The user's saved searches, by name (case-insensitive)."""
        return self.store.get_saved_searches(user)

    def get_saved_search(self, user: UserId, name: str) -> SavedSearch:
        """The user's saved search called ``name`` (whatever its case); ``NotFoundError``."""
        wanted = clean_text(name).casefold()
        for saved in self.store.get_saved_searches(user):
            if saved.name.casefold() == wanted:
                return saved
        raise NotFoundError(f'You have no saved search called "{clean_text(name)}".')

    def save_search(self, user: UserId, query: str, name: str | None = None) -> SavedSearch:
        """Save ``query`` as ``name`` (by default the query). ``SearchQueryError`` for a
        query that cannot run, ``SavedSearchError`` for a name that is empty, too
        long or taken, or past ``MAX_SAVED``."""
        query = _checked_query(query)
        name = _checked_name(default_name(query) if name is None or not name.strip() else name)
        if len(self.store.get_saved_searches(user)) >= MAX_SAVED:
            raise SavedSearchError(f"You have {MAX_SAVED} saved searches: delete one first.")
        return self.store.add_saved_search(user, name, query, now=datetime.now(UTC))

    def rename_saved_search(self, user: UserId, saved_id: int, name: str) -> SavedSearch:
        """Rename one of the user's saved searches; ``NotFoundError`` for anyone else's."""
        return self.store.rename_saved_search(user, saved_id, _checked_name(name))

    def remove_saved_search(self, user: UserId, saved_id: int) -> None:
        """Delete one of the user's saved searches; ``NotFoundError`` for anyone else's."""
        self.store.remove_saved_search(user, saved_id)


def _checked_query(text: str) -> str:
    query = clean_text(text)
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"A search is at most {MAX_QUERY_CHARS} characters.")
    parse_query(query)  # its message, for a query that cannot run
    return query


def _checked_name(text: str) -> str:
    name = clean_text(text)
    if not name:
        raise SavedSearchError("Give the saved search a name.")
    if len(name) > MAX_NAME:
        raise SavedSearchError(f"A name is at most {MAX_NAME} characters.")
    return name
