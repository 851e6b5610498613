"""Sync: what the apps' APIs (Fever, Google Reader) ask of Tidings (#12).

Part of the ``Aggregator`` facade (``agg.sync``): entries in id order, complete id
lists, folders with ids, subscriptions as an app lists them, their icons, and marks
by crawl time. Protocol details (ids on the wire, parameters, JSON) stay in
``tidings.api``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tidings.content.icons import ICON_TYPES
from tidings.model import Entry, EntryFilter, EntryId, FeedCount, FeedId, Icon, UserId
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
    has_icon: bool = False  # an icon is stored for it


class Sync:
    """Reads and marks for the sync APIs, over the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_subscriptions(self, user: UserId) -> list[Subscription]:
        """The user's feeds, by name."""
        counts = {c.id: c for c in self.store.get_feed_counts(user)}
        out = [
            Subscription(
                f.state.id,
                _title(counts.get(f.state.id)) or f.state.title or f.state.url,
                f.state.url,
                f.state.link,
                f.category,
                f.state.last_success_at,
                f.unread,
                bool((c := counts.get(f.state.id)) and c.has_icon),
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

    # Google Reader streams (#12)

    def get_stream_ids(
        self, user: UserId, filter: EntryFilter, *, start: int | None, oldest_first: bool
    ) -> list[EntryId]:
        return self.store.get_stream_ids(
            user,
            filter,
            start=None if start is None else EntryId(start),
            oldest_first=oldest_first,
        )

    def get_stream_entries(
        self, user: UserId, filter: EntryFilter, *, start: int | None, oldest_first: bool
    ) -> list[Entry]:
        return self.store.get_stream_entries(
            user,
            filter,
            start=None if start is None else EntryId(start),
            oldest_first=oldest_first,
        )

    def get_newest_crawl_times(self, user: UserId) -> dict[FeedId, datetime]:
        return self.store.get_newest_crawl_times(user)

    def get_last_refreshed(self, user: UserId) -> datetime | None:
        """The last successful fetch of any feed the user follows."""
        return self.store.get_last_refreshed(user)

    def get_site_links(self, user: UserId, feeds: Collection[FeedId]) -> dict[FeedId, str]:
        """The site links of those of ``feeds`` the user follows (an item's origin)."""
        return self.store.get_site_links(user, feeds)

    def set_flags(
        self,
        user: UserId,
        ids: Sequence[int],
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> int:
        """Set (never toggle) read and/or starred on the user's entries among ``ids``."""
        return self.store.set_entry_flags(
            user, [EntryId(i) for i in ids], read=read, starred=starred, now=_now()
        )

    def set_tag(self, user: UserId, ids: Sequence[int], tag: str, *, tagged: bool) -> int:
        return self.store.set_entry_tag(user, [EntryId(i) for i in ids], tag, tagged=tagged)

    def get_tags(self, user: UserId) -> list[str]:
        return self.store.get_tags(user)

    def rename_label(self, user: UserId, old: str, new: str) -> bool:
        return self.store.rename_label(user, old, new)

    def delete_label(self, user: UserId, name: str) -> bool:
        return self.store.delete_label(user, name)

    def mark_stream_read(self, user: UserId, filter: EntryFilter) -> int:
        """Mark read every entry of a stream (``filter``, its ``seen_before`` the
        client's crawl-time bound). Returns how many changed."""
        latest = self.store.get_latest_entry_id(user)
        return self.store.mark_all_read(user, filter, up_to=latest, older_than=None, now=_now())


def _title(count: FeedCount | None) -> str | None:
    return count.title if count is not None else None


def _now() -> datetime:
    return datetime.now(UTC)
