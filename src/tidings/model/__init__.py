"""Data types shared by every part of Tidings.

Types carry their direction in their name:

- ``*Data`` came from the wire (parsed, untrusted until sanitized);
- ``*State`` came from the store;
- ``*Update`` goes to the store.

All datetimes are timezone-aware and in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

FeedId = NewType("FeedId", int)
EntryId = NewType("EntryId", int)
UserId = NewType("UserId", int)


class FullTextMode(StrEnum):
    """When to fetch the full article for an entry."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class EntryData:
    """One entry as the parser understood it.

    ``summary`` and ``content`` are HTML fragments. They are sanitized by the
    parser's sanitizer before they leave ``tidings.parser.parse_feed``; the
    refresh pipeline sanitizes again whatever it adds (full text).
    """

    id: str
    title: str | None = None
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary: str | None = None
    content: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    image: str | None = None
    comments: str | None = None
    language: str | None = None


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


@dataclass(frozen=True, slots=True)
class Caching:
    """Validators for a conditional GET, echoed verbatim from the server."""

    etag: str | None = None
    last_modified: str | None = None


NO_CACHING = Caching()


@dataclass(frozen=True, slots=True)
class Hints:
    """Scheduling hints a server gave with its response (seconds from now)."""

    max_age: float | None = None  # Cache-Control max-age / Expires
    retry_after: float | None = None  # Retry-After on 429/503


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 200 response with its (decompressed, size-capped) body."""

    url: str  # final URL after redirects
    body: bytes
    content_type: str | None
    caching: Caching
    hints: Hints = Hints()
    permanent_redirect: str | None = None  # target of a 301/308 chain, if any


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304 answer to a request that did send validators."""

    caching: Caching
    hints: Hints = Hints()


@dataclass(frozen=True, slots=True)
class FetchError:
    """A fetch that failed; recorded on the feed, never raised through a batch."""

    message: str
    status: int | None = None
    gone: bool = False  # 410: disable the feed
    hints: Hints = Hints()


FetchResult = Fetched | NotModified | FetchError


@dataclass(frozen=True, slots=True)
class Posted:
    """The answer to a form POST (a WebSub hub request): its status and a capped body."""

    status: int
    body: bytes = b""


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


@dataclass(frozen=True, slots=True)
class EntryUpdate:
    """A new or changed entry, sanitized, ready to store."""

    data: EntryData
    content_hash: str
    is_new: bool
    story: StoryData | None = None  # set by the enrich step (#5)
    # Plain text of content/summary for the search index, computed from the final
    # ``data`` by ``Store.prepare_entries`` off the writer thread (#4); None: the store does it.
    search_text: str | None = None


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


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as shown to one user."""

    id: EntryId
    feed_id: FeedId
    feed_url: str
    feed_title: str | None
    category: str | None
    guid: str
    title: str | None
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary: str | None
    content: str | None
    categories: tuple[str, ...]
    enclosures: tuple[Enclosure, ...]
    image: str | None
    comments: str | None
    first_seen: datetime
    read: bool = False
    starred: bool = False
    sorted_at: datetime | None = None  # the river's sort key with ``id`` (keyset paging)
    # the story (#5): metadata, per-user tags, and the other copies of the same story
    lead: str | None = None
    word_count: int = 0
    reading_minutes: int = 0
    main_image: str | None = None
    language: str | None = None
    source: str | None = None
    section: str | None = None
    full_text: bool = False  # content is the extracted article, not the feed's own
    tags: tuple[str, ...] = ()
    cluster_id: int | None = None
    duplicates: tuple[Duplicate, ...] = ()


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription as shown to one user: the shared feed plus the user's category."""

    state: FeedState
    category: str | None = None
    unread: int = 0


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries a listing wants."""

    feed_url: str | None = None
    category: str | None = None
    unread: bool = False
    starred: bool = False
    limit: int = 50
    before: tuple[datetime, int] | None = None  # keyset paging: (sort time, id)
    feed_id: FeedId | None = None
    after_id: EntryId | None = None  # only entries stored after this one (new arrivals)


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
class User:
    """An account; the password hash never leaves the store through this type."""

    id: UserId
    name: str
    is_admin: bool = False
    has_password: bool = False


@dataclass(frozen=True, slots=True)
class FeedCount:
    """A subscription as the reader's sidebar shows it: name, category, unread count."""

    id: FeedId
    title: str
    category: str | None
    unread: int
    error: str | None = None


# Stories (#5): full text, metadata, clusters of copies, per-user filter rules.


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Another copy of the same story, in a feed the user follows."""

    id: EntryId
    feed_title: str | None
    link: str | None


class RuleField(StrEnum):
    TITLE = "title"
    CONTENT = "content"
    AUTHOR = "author"
    URL = "url"
    CATEGORY = "category"


class RuleAction(StrEnum):
    DROP = "drop"  # hidden for the rule's owner; the shared row stays
    READ = "read"
    STAR = "star"
    TAG = "tag"  # value: the tag
    CATEGORY = "category"  # value: the category the entry is filed under


@dataclass(frozen=True, slots=True)
class Rule:
    """A user's filter rule: when ``pattern`` matches ``field`` (or, with ``keep``,
    when it does not), apply ``action``. ``feed_id`` None: all the user's feeds."""

    field: RuleField
    pattern: str  # a regular expression (the ``regex`` module, time-bounded)
    action: RuleAction
    value: str | None = None
    keep: bool = False
    feed_id: FeedId | None = None
    feed_url: str | None = None
    user_id: UserId = UserId(0)
    id: int = 0


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one user's rules do to one entry."""

    user_id: UserId
    hidden: bool = False
    read: bool = False
    starred: bool = False
    tags: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A page's extracted article: sanitized HTML and what was learnt on the way."""

    html: str
    words: int
    image: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """Per-feed extraction options (on the shared feed row)."""

    body_selector: str | None = None  # CSS: the article body on the feed's pages
    remove_selectors: tuple[str, ...] = ()  # CSS: clutter to cut from pages and content


@dataclass(frozen=True, slots=True)
class StoryContext:
    """What the enrich step loads before deciding: options, subscribers' rules, and
    articles already extracted for these URLs (the page cache)."""

    options: StoryOptions = StoryOptions()
    rules: tuple[Rule, ...] = ()
    articles: Mapping[str, Article] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoryData:
    """An entry's story, computed by the enrich step and stored with the entry."""

    lead: str | None
    word_count: int
    reading_minutes: int
    main_image: str | None
    language: str | None
    section: str | None
    canonical_url: str | None
    full_content: str | None = None  # the extracted article, when it beats the feed's text
    text_key: str | None = None  # digest of the normalized text (long enough texts only)
    lead_key: str | None = None  # digest of its first words
    minhash: tuple[int, ...] | None = None  # MinHash of its 3-shingles (long enough texts)
    outcomes: tuple[RuleOutcome, ...] = ()
    keys: tuple[int, ...] | None = None  # its clustering index keys; None: the store computes them


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
