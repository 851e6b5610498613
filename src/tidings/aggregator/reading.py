"""Reading: the sidebar, one subscription, search and bulk marking.

Part of the ``Aggregator`` facade (``agg.reading``). Everything takes the
user's id and is scoped to that user's subscriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from tidings.core.search import SearchHit, parse_query
from tidings.errors import SearchQueryError
from tidings.model import (
    Entry,
    EntryFilter,
    EntryId,
    Feed,
    FeedCount,
    FeedId,
    SavedSearch,
    UserId,
)
from tidings.ports import Store
from tidings.settings import Settings

OLDER_THAN = {"all": None, "day": timedelta(days=1), "week": timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class CategoryCount:
    name: str
    unread: int
    feeds: tuple[FeedCount, ...]


@dataclass(frozen=True, slots=True)
class Sidebar:
    """What the navigation shows: counts by view, category and feed."""

    feeds: tuple[FeedCount, ...]
    categories: tuple[CategoryCount, ...]
    uncategorized: tuple[FeedCount, ...]
    unread: int
    starred: int
    latest_id: EntryId
    saved: tuple[SavedSearch, ...] = ()  # the user's saved searches, by name (#15)


@dataclass(frozen=True, slots=True)
class SearchResult:
    text: str
    hits: list[SearchHit] = field(default_factory=list)
    message: str | None = None  # a friendly word about a query that could not run


class Reading:
    """The reader's view of one user's subscriptions."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def get_sidebar(self, user: UserId, open_category: str | None = None) -> Sidebar:
        """Counts by view and category; the feeds of ``open_category`` and those
        without a category (other categories' feeds are one click away)."""
        by_category = self.store.get_category_counts(user)
        feeds = self.store.get_feed_counts(user, {open_category, None})
        members: dict[str | None, list[FeedCount]] = {}
        for f in feeds:
            members.setdefault(f.category, []).append(f)
        names = sorted((n for n in by_category if n is not None), key=str.lower)
        categories = tuple(
            CategoryCount(name, by_category[name], tuple(members.get(name, ()))) for name in names
        )
        return Sidebar(
            feeds=tuple(feeds),
            categories=categories,
            uncategorized=tuple(members.get(None, ())),
            unread=sum(by_category.values()),
            starred=self.store.count_starred(user),
            latest_id=self.store.get_latest_entry_id(user),
            saved=tuple(self.store.get_saved_searches(user)),
        )

    def get_feed(self, user: UserId, feed_id: int) -> Feed:
        """One of the user's subscriptions; ``NotFoundError`` for anyone else's."""
        return self.store.get_feed(user, FeedId(feed_id))

    def search(self, user: UserId, text: str, *, limit: int = 30, offset: int = 0) -> SearchResult:
        """Ranked, highlighted results; a query that cannot run gives a message."""
        try:
            query = parse_query(text)
            hits = self.store.search_entries(user, query, limit=limit, offset=offset)
        except SearchQueryError as exc:
            return SearchResult(text, message=str(exc))
        return SearchResult(text, hits)

    def mark_entries_read(self, user: UserId, ids: Sequence[int], *, read: bool = True) -> int:
        return self.store.mark_entries_read(user, [EntryId(i) for i in ids], read=read, now=_now())

    def mark_all_read(
        self, user: UserId, filter: EntryFilter, *, up_to: int, older_than: str = "all"
    ) -> int:
        """Mark the listing read up to the newest entry the reader saw (``up_to``)."""
        age = OLDER_THAN.get(older_than)
        cutoff = _now() - age if age else None
        return self.store.mark_all_read(
            user, filter, up_to=EntryId(up_to), older_than=cutoff, now=_now()
        )

    def mark_listing_read(
        self, user: UserId, filter: EntryFilter, *, older_than: str = "all"
    ) -> int:
        """Mark read every entry the listing has now (the CLI's ``mark --all``)."""
        latest = self.store.get_latest_entry_id(user)
        return self.mark_all_read(user, filter, up_to=int(latest), older_than=older_than)

    def get_playback_position(self, user: UserId, entry_id: int) -> float | None:
        """Where the user stopped the entry's audio or video, in seconds (#15)."""
        return self.store.get_playback_position(user, EntryId(entry_id))

    def set_playback_position(self, user: UserId, entry_id: int, seconds: float) -> None:
        """Save where the user stopped; ``NotFoundError`` for an entry they cannot see."""
        self.store.set_playback_position(user, EntryId(entry_id), seconds, now=_now())

    def get_neighbours(
        self, user: UserId, filter: EntryFilter, entry: Entry
    ) -> tuple[Entry | None, Entry | None]:
        """The stories beside ``entry`` in the listing of ``filter``: (the newer one
        above it, the older one below it), by its place in the listing's order (sort
        time, then id), whether or not it is still in the listing itself (#15)."""
        key = (entry.sorted_at or entry.first_seen, int(entry.id))
        older = self.store.get_entries(user, replace(filter, before=key, limit=1))
        newer = self.store.get_entries(user, replace(filter, after=key, oldest_first=True, limit=1))
        return (newer[0] if newer else None), (older[0] if older else None)

    def count_new(self, user: UserId, filter: EntryFilter, after_id: int) -> int:
        """Entries in the listing that arrived after ``after_id``."""
        return self.store.count_entries(user, replace(filter, after_id=EntryId(after_id)))


def _now() -> datetime:
    return datetime.now(UTC)
