"""Feeds: parsed (``FeedData``), stored (``FeedState``), written (``FeedUpdate``),
shown (``Feed``), and what a refresh did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tidings.model.entries import EntryData
from tidings.model.fetch import Caching
from tidings.model.ids import FeedId


class FullTextMode(StrEnum):
    """When to fetch the full article for an entry."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class FeedData:
    """A parsed feed document."""

    version: str  # e.g. "rss20", "rss10", "atom10", "atom03", "json11"
    title: str | None = None
    link: str | None = None
    description: str | None = None
    language: str | None = None
    image: str | None = None
    icon: str | None = None
    updated: datetime | None = None
    ttl_minutes: int | None = None
    hub: str | None = None  # WebSub hub advertised by the feed
    self_url: str | None = None
    entries: tuple[EntryData, ...] = ()
    # A defect of the document the parser worked around, for the feed's status:
    # "document truncated: 3 entries read" (the refresh records it as a failure).
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as the store knows it."""

    id: FeedId
    url: str
    title: str | None = None
    link: str | None = None
    description: str | None = None
    caching: Caching = Caching()
    last_fetched_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    error_count: int = 0
    next_check_at: datetime | None = None
    interval_override: int | None = None  # seconds
    disabled: bool = False
    full_text: FullTextMode = FullTextMode.AUTO
    hub: str | None = None
    entries_per_week: float = 0.0
    entry_count: int = 0
    lease_owner: str | None = None  # who holds its lease, on a claimed state


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """What one refresh changes on the feed row (written with its entries)."""

    feed_id: FeedId
    fetched_at: datetime
    next_check_at: datetime
    caching: Caching | None = None  # None: keep the stored validators
    title: str | None = None
    link: str | None = None
    description: str | None = None
    language: str | None = None
    icon: str | None = None
    hub: str | None = None
    url: str | None = None  # new URL after a permanent redirect that served a feed
    error: str | None = None  # None: success; resets error_count
    disabled: bool = False
    entries_per_week: float | None = None
    # the lease this result ends (the claim's owner); None: whoever holds one
    lease_owner: str | None = None
    # guids of deleted entries the feed's whole document no longer carries: their
    # tombstones go (#15)
    forget: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription as shown to one user: the shared feed plus the user's category
    and the user's own name for it (#15: None, the feed's own title)."""

    state: FeedState
    category: str | None = None
    unread: int = 0
    custom_title: str | None = None

    @property
    def name(self) -> str:
        """What the user calls the feed: their name for it, its title, or its URL."""
        return self.custom_title or self.state.title or self.state.url


@dataclass(frozen=True, slots=True)
class FeedCount:
    """A subscription as the reader's sidebar shows it: name, category, unread count."""

    id: FeedId
    title: str
    category: str | None
    unread: int
    error: str | None = None
    has_icon: bool = False  # an image is stored for it (#12)


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one feed refresh did."""

    feed_url: str
    status: str  # "ok" | "not_modified" | "error"
    new: int = 0
    changed: int = 0
    error: str | None = None


@dataclass(slots=True)
class BatchSummary:
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    new_entries: int = 0
    results: list[RefreshResult] = field(default_factory=list)

    def add(self, result: RefreshResult) -> None:
        self.results.append(result)
        self.new_entries += result.new
        if result.status == "ok":
            self.ok += 1
        elif result.status == "not_modified":
            self.not_modified += 1
        else:
            self.failed += 1


@dataclass(frozen=True, slots=True)
class WebSubState:
    """A WebSub subscription of one feed (#4), as the store knows it."""

    feed_id: FeedId
    feed_url: str
    hub: str
    topic: str
    callback_id: str  # the last path segment of our callback URL
    secret: str  # HMAC key of the hub's pushes
    state: str  # "requested" | "active" | "denied" | "failed"
    requested_at: datetime
    expires_at: datetime | None = None
    last_push_at: datetime | None = None
    last_error: str | None = None
