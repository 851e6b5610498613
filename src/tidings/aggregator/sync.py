"""Sync: what the apps' APIs (Fever, Google Reader) ask of Tidings (#12).

Part of the ``Aggregator`` facade (``agg.sync``): entries in id order, complete id
lists, folders with ids, subscriptions as an app lists them, their icons, and marks
by crawl time. Protocol details (ids on the wire, parameters, JSON) stay in
``tidings.api``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from tidings.content.icons import ICON_TYPES
from tidings.model import Entry, EntryFilter, EntryId, FeedId, Icon, UserId
from tidings.ports import Store


@dataclass(frozen=True, slots=True)
class Subscription:
    """A feed as an app lists it for one user."""

    id: FeedId
    title: str  # the user's name for it, else the feed's title, else its URL
    url: str
    link: str | None
    category: str | None
    last_updated: datetime | None  # the last successful fetch
    unread: int


class Sync:
    """Reads and marks for the sync APIs, over the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_subscriptions(self, user: UserId) -> list[Subscription]:
        """The user's feeds, by name."""
        titles = {c.id: c.title for c in self.store.get_feed_counts(user)}
        out = [
            Subscription(
                f.state.id,
                titles.get(f.state.id) or f.state.title or f.state.url,
                f.state.url,
                f.state.link,
                f.category,
                f.state.last_success_at,
                f.unread,
            )
            for f in self.store.get_feeds(user)
        ]
        return sorted(out, key=lambda s: (s.title.lower(), s.id))

    def get_icons(self, user: UserId) -> list[Icon]:
        """The stored images of the user's feeds, by feed id: only those with bytes of
        a type the icon step stores (PNG, JPEG, GIF, WebP, ICO), whatever else a row
        may hold."""
        return [
            icon
            for icon in self.store.get_icons(user)
            if icon.data and icon.content_type in ICON_TYPES
        ]

    def get_category_ids(self, user: UserId) -> list[tuple[int, str]]:
        return self.store.get_category_ids(user)

    def get_entries_by_id(
        self,
        user: UserId,
        *,
        after: int | None = None,
        before: int | None = None,
        ids: Collection[int] | None = None,
        limit: int = 50,
    ) -> list[Entry]:
        return self.store.get_entries_by_id(
            user,
            after=None if after is None else EntryId(after),
            before=None if before is None else EntryId(before),
            ids=None if ids is None else [EntryId(i) for i in ids],
            limit=limit,
        )

    def get_entry_ids(
        self, user: UserId, *, unread: bool = False, starred: bool = False
    ) -> list[EntryId]:
        return self.store.get_entry_ids(user, unread=unread, starred=starred)

    def count_entries(self, user: UserId) -> int:
        return self.store.count_listed_entries(user)

    def mark_read_seen_before(
        self,
        user: UserId,
        seen_before: datetime,
        *,
        feed_id: int | None = None,
        category: str | None = None,
    ) -> int:
        """Mark read the entries first seen before ``seen_before`` (crawl time, not the
        feed's dates: an entry fetched after the app last looked stays unread), in one
        feed, one category, or (neither) everywhere. Returns how many changed."""
        latest = self.store.get_latest_entry_id(user)
        filter = EntryFilter(
            feed_id=None if feed_id is None else FeedId(feed_id),
            category=category,
            seen_before=seen_before,
        )
        return self.store.mark_all_read(user, filter, up_to=latest, older_than=None, now=_now())


def _now() -> datetime:
    return datetime.now(UTC)
