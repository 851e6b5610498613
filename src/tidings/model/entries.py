"""Entries: parsed (``EntryData``), written (``EntryUpdate``), shown (``Entry``),
listed (``EntryFilter``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from tidings.model.ids import EntryId, FeedId

if TYPE_CHECKING:
    from tidings.model.stories import StoryData

#: Which field an entry's date came from (#11).
DateSource = Literal["published", "updated", "first_seen"]


def entry_date(
    published: datetime | None, updated: datetime | None, first_seen: datetime
) -> tuple[datetime, DateSource]:
    """An entry's date, the one rule used everywhere (sorting, river, story page, CLI,
    JSON, search, APIs): published, else updated, else the time Tidings first saw it.
    A date later than that is not believed (a clock or a feed in the future)."""
    date = published if published is not None else updated
    if date is None or date > first_seen:
        return first_seen, "first_seen"
    return date, "published" if published is not None else "updated"


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to an entry: a podcast's episode, a video, an image (#15).

    ``length`` is its size in bytes and ``duration`` its playing time in seconds,
    each as the feed gave it (``itunes:duration``, ``media:content@duration``,
    JSON Feed's ``duration_in_seconds``), None when unknown."""

    url: str
    type: str | None = None
    length: int | None = None
    duration: int | None = None


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
class EntryUpdate:
    """A new or changed entry, sanitized, ready to store."""

    data: EntryData
    content_hash: str
    is_new: bool
    story: StoryData | None = None  # set by the enrich step (#5)
    # Plain text of content/summary for the search index, computed from the final
    # ``data`` by ``content.story.with_search_text`` off the writer thread (#4);
    # None: the store does it.
    search_text: str | None = None


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

    @property
    def date(self) -> datetime:
        """The entry's date by :func:`entry_date`."""
        return entry_date(self.published, self.updated, self.first_seen)[0]

    @property
    def date_source(self) -> DateSource:
        return entry_date(self.published, self.updated, self.first_seen)[1]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries a listing wants."""

    feed_url: str | None = None
    category: str | None = None
    unread: bool = False
    starred: bool = False
    limit: int = 50
    before: tuple[datetime, int] | None = None  # keyset paging: (sort time, id)
    after: tuple[datetime, int] | None = None  # only entries newer than this (sort time, id)
    oldest_first: bool = False  # list in ascending (sort time, id) order
    feed_id: FeedId | None = None
    after_id: EntryId | None = None  # only entries stored after this one (new arrivals)
    # what Google Reader streams ask for (#12)
    read: bool = False  # only read entries
    label: str | None = None  # filed under this folder, or tagged with it
    # "seen": in the user's list since; its crawl time or when they followed its feed
    seen_from: datetime | None = None  # seen at or after (`ot`)
    seen_before: datetime | None = None  # seen before (`nt`, `ts`, Fever `before`)
    unstarred: bool = False  # only entries not starred (`xt=…/starred`)
    exclude_labels: tuple[str, ...] = ()  # neither filed under nor tagged with these
    exclude_feed_ids: tuple[FeedId, ...] = ()
    tag: str | None = None  # only entries the user tagged so (a published tag/NAME, #14)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Another copy of the same story, in a feed the user follows."""

    id: EntryId
    feed_title: str | None
    link: str | None
