"""Entries and refreshes the contract tests write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.model import (
    Caching,
    Enclosure,
    EntryData,
    EntryUpdate,
    FeedId,
    FeedState,
    FeedUpdate,
    UserId,
)
from tidings.ports import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = "https://x.example/feed"


def entry(i: int, **kw: object) -> EntryData:
    data: dict[str, object] = dict(
        id=f"e{i}",
        title=f"Title {i}",
        link=f"https://x.example/{i}",
        published=NOW - timedelta(hours=i),
        summary=f"<p>s{i}</p>",
        categories=("a", "b"),
        enclosures=(Enclosure("https://x.example/a.mp3", "audio/mpeg", 10),),
    )
    data.update(kw)
    return EntryData(**data)  # type: ignore[arg-type]


def ok(feed_id: int, etag: str = "v1", **kw: object) -> FeedUpdate:
    return FeedUpdate(
        feed_id=FeedId(feed_id),
        fetched_at=NOW,
        next_check_at=NOW + timedelta(hours=1),
        caching=Caching(etag=etag, last_modified="Wed, 25 Nov 2026 10:00:00 GMT"),
        **{"title": "Feed", **kw},  # type: ignore[arg-type]
    )


def new(*numbers: int) -> list[EntryUpdate]:
    return [EntryUpdate(entry(i), f"h{i}", is_new=True) for i in numbers]


def feed_with_entries(
    store: Store, user: UserId, url: str = URL, n: int = 3, category: str | None = None
) -> FeedState:
    """``user`` follows ``url``, which has entries e0 (newest) .. e{n-1}."""
    feed = store.add_feed(user, url, category=category, now=NOW)
    store.apply_refresh(ok(feed.id), new(*range(n)))
    return store.get_feed_state(feed.id)
