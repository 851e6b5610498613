"""Conversions between model types and database rows, shared by the engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from tidings.model import (
    Caching,
    Enclosure,
    Entry,
    EntryData,
    EntryId,
    Feed,
    FeedId,
    FeedState,
    FullTextMode,
    entry_date,
)


class RowLike(Protocol):
    """A result row: ``sqlite3.Row`` or a psycopg ``dict_row``."""

    def __getitem__(self, key: str, /) -> Any: ...

    def keys(self) -> Any: ...


def to_ts(dt: datetime | None) -> int | None:
    """An aware datetime as integer seconds since the epoch."""
    if dt is None:
        return None
    try:
        return int(dt.timestamp())
    except (OverflowError, ValueError, OSError):
        return None


def from_ts(ts: int | None) -> datetime | None:
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def sort_ts(data: EntryData, fetched_at: datetime) -> int:
    """When a new entry sorts: its date by the one rule (``entry_date``, #11), which is
    never later than when it was first seen (D7)."""
    date = entry_date(data.published, data.updated, fetched_at)[0]
    return to_ts(date) or to_ts(fetched_at) or 0


def entry_params(
    feed_id: FeedId, data: EntryData, content_hash: str, fetched_at: datetime
) -> dict[str, Any]:
    """Named parameters for inserting or updating one entry row."""
    return {
        "feed_id": feed_id,
        "guid": data.id,
        "title": data.title,
        "link": data.link,
        "author": data.author,
        "published_at": to_ts(data.published),
        "updated_at": to_ts(data.updated),
        "summary": data.summary,
        "content": data.content,
        "categories": json.dumps(list(data.categories), ensure_ascii=False),
        "enclosures": json.dumps(
            [_enclosure_json(e) for e in data.enclosures],
            ensure_ascii=False,
        ),
        "image": data.image,
        "comments": data.comments,
        "language": data.language,
        "content_hash": content_hash,
        "first_seen_at": to_ts(fetched_at),
        "sort_at": sort_ts(data, fetched_at),
    }


def feed_state_from_row(row: RowLike) -> FeedState:
    return FeedState(
        id=FeedId(row["id"]),
        url=row["url"],
        title=row["title"],
        link=row["link"],
        description=row["description"],
        caching=Caching(etag=row["etag"], last_modified=row["last_modified"]),
        last_fetched_at=from_ts(row["last_fetched_at"]),
        last_success_at=from_ts(row["last_success_at"]),
        last_error=row["last_error"],
        error_count=row["error_count"],
        next_check_at=from_ts(row["next_check_at"]),
        interval_override=row["interval_override"],
        disabled=bool(row["disabled"]),
        full_text=FullTextMode(row["full_text"]),
        hub=row["hub"],
        entries_per_week=row["entries_per_week"],
        entry_count=row["entry_count"] if "entry_count" in row.keys() else 0,  # noqa: SIM118
        lease_owner=row["lease_owner"],
    )


def feed_from_row(row: RowLike) -> Feed:
    """A user's subscription: the feed, the user's category, unread count and name."""
    return Feed(
        feed_state_from_row(row),
        category=row["category"],
        unread=row["unread"],
        custom_title=row["custom_title"],
    )


def _enclosure_json(e: Enclosure) -> dict[str, str | int | None]:
    """An enclosure as stored; its duration (#15) only when known, so that rows
    written before it and after it read alike."""
    out: dict[str, str | int | None] = {"url": e.url, "type": e.type, "length": e.length}
    if e.duration is not None:
        out["duration"] = e.duration
    return out


def entry_from_row(row: RowLike) -> Entry:
    enclosures = tuple(
        Enclosure(
            url=e["url"], type=e.get("type"), length=e.get("length"), duration=e.get("duration")
        )
        for e in json.loads(row["enclosures"] or "[]")
    )
    return Entry(
        id=EntryId(row["id"]),
        feed_id=FeedId(row["feed_id"]),
        feed_url=row["feed_url"],
        feed_title=row["feed_title"],
        category=row["category"],
        guid=row["guid"],
        title=row["title"],
        link=row["link"],
        author=row["author"],
        published=from_ts(row["published_at"]),
        updated=from_ts(row["updated_at"]),
        summary=row["summary"],
        content=row["content"],
        categories=tuple(json.loads(row["categories"] or "[]")),
        enclosures=enclosures,
        image=row["image"],
        comments=row["comments"],
        first_seen=from_ts(row["first_seen_at"]) or datetime.fromtimestamp(0, UTC),
        read=bool(row["read"]),
        starred=bool(row["starred"]),
        sorted_at=from_ts(row["sort_at"]),
    )
