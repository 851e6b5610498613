"""The CPU-bound step of a refresh: parse, normalize, sanitize, dedupe, build stories.

``process_document`` is a pure function of bytes and the stored hashes, so it can
run in a worker process while the event loop keeps fetching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from tidings.core import dedupe, schedule
from tidings.model import EntryUpdate, FeedData
from tidings.parser import parse_feed


@dataclass(frozen=True, slots=True)
class Processed:
    """What the CPU-bound step hands back: feed metadata and the entries to write."""

    feed: FeedData  # entries stripped, to keep the hand-back small
    updates: tuple[EntryUpdate, ...]
    new: int
    changed: int
    rate: float | None  # entries per week, from the entries' dates
    # the article pages the story step wants (canonical URL -> link); none without one
    wanted: Mapping[str, str]
    # guids of deleted entries (tombstones) the document no longer carries (#15)
    forgotten: tuple[str, ...] = ()


class StoryStep(Protocol):
    """The story step run inside ``process_document``, in the same worker call, so
    the entries cross to the main process once (``tidings.content.story.StoryJob``;
    picklable). Returns the entries with their stories and the article pages that
    new teasers want (canonical URL -> link)."""

    def __call__(
        self, feed: FeedData, updates: tuple[EntryUpdate, ...], /
    ) -> tuple[tuple[EntryUpdate, ...], Mapping[str, str]]: ...


def process_document(
    body: bytes,
    url: str,
    content_type: str | None,
    known: Mapping[str, str],
    max_entries: int,
    now: datetime,
    story: StoryStep | None = None,
) -> Processed:
    """Parse, normalize and sanitize a document, then keep what is new or changed
    (and build their stories, given ``story``).

    Pure: no I/O. Raises ``ParseError``.
    """
    feed = parse_feed(body, url=url, content_type=content_type, max_entries=max_entries)
    plan = dedupe.plan(known, feed.entries)
    dates = [d for e in feed.entries if (d := e.published or e.updated) is not None]
    updates: tuple[EntryUpdate, ...] = plan.updates
    wanted: Mapping[str, str] = {}
    if story is not None and updates:
        updates, wanted = story(feed, updates)
    return Processed(
        feed=replace(feed, entries=()),
        updates=updates,
        new=len(plan.new),
        changed=len(plan.changed),
        rate=schedule.entries_per_week(dates, now),
        wanted=wanted,
        forgotten=plan.forgotten,
    )
