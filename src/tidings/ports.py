"""The interfaces between the core and its adapters.

The core and ``refresh.py`` depend on these protocols only; ``app.py`` wires
the concrete adapters in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tidings.model import (
    NO_CACHING,
    Caching,
    Entry,
    EntryFilter,
    EntryId,
    EntryUpdate,
    Feed,
    FeedData,
    FeedId,
    FeedState,
    FeedUpdate,
    FetchResult,
    UserId,
)


class Fetcher(Protocol):
    """Outbound HTTP, guarded (SSRF policy, size cap, deadline)."""

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        """GET ``url``, conditionally when ``caching`` has validators.

        Never raises for network or HTTP failures: they come back as ``FetchError``.
        """
        ...

    async def aclose(self) -> None: ...


class FeedParser(Protocol):
    def __call__(
        self, body: bytes, *, url: str, content_type: str | None = None, max_entries: int = ...
    ) -> FeedData:
        """Parse a feed document. Raises ``ParseError`` and nothing else."""
        ...


class Sanitizer(Protocol):
    def __call__(self, html: str, base_url: str | None = None) -> str:
        """Return allowlisted HTML; relative URLs are made absolute against ``base_url``."""
        ...


class Store(Protocol):
    """Persistent state. Every method raises ``StorageError`` on engine failures.

    Feeds are shared rows; subscriptions, categories and read/starred state
    belong to a user. Methods taking a ``user_id`` only ever see that user's
    data and raise ``NotFoundError`` for anything else.
    """

    def close(self) -> None: ...

    # users
    def ensure_user(self, name: str, *, is_admin: bool = False) -> UserId: ...

    # feeds and subscriptions
    def add_feed(
        self, user_id: UserId, url: str, *, category: str | None, now: datetime
    ) -> FeedState:
        """Subscribe the user; create the shared feed row if it is new (due now)."""
        ...

    def remove_feed(self, user_id: UserId, url: str) -> None:
        """Unsubscribe; the shared feed and its entries go when nobody follows it."""
        ...

    def get_feeds(self, user_id: UserId) -> list[Feed]: ...

    def get_feed_state(self, feed_id: FeedId) -> FeedState: ...

    def get_feed_state_by_url(self, url: str) -> FeedState: ...

    def get_due_feeds(self, now: datetime, limit: int | None = None) -> list[FeedState]:
        """Feeds someone follows, not disabled, whose next check is at or before ``now``."""
        ...

    def get_all_feeds(self) -> list[FeedState]: ...

    def set_feed_options(
        self,
        feed_id: FeedId,
        *,
        full_text: str | None = None,
        interval_override: int | None = None,
        next_check_at: datetime | None = None,
    ) -> None: ...

    # refresh
    def get_entry_hashes(self, feed_id: FeedId) -> dict[str, str]:
        """Stored entries of a feed: guid -> content hash."""
        ...

    def apply_refresh(self, update: FeedUpdate, entries: Sequence[EntryUpdate]) -> None:
        """Write the feed row and its new/changed entries in one transaction."""
        ...

    # reading
    def get_entries(self, user_id: UserId, filter: EntryFilter) -> list[Entry]: ...

    def get_entry(self, user_id: UserId, entry_id: EntryId) -> Entry: ...

    def mark_entry(
        self,
        user_id: UserId,
        entry_id: EntryId,
        *,
        read: bool | None = None,
        starred: bool | None = None,
        now: datetime,
    ) -> None: ...

    def get_categories(self, user_id: UserId) -> list[str]: ...
