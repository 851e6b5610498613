"""Google Reader JSON for an entry and a subscription, with the fields and types the
strictest clients' decoders require (clientapis.md §1.5): NetNewsWire (Swift
``Codable``: one wrong type fails the whole response), Capy (Moshi: no nulls),
NewsFlash (serde), Fluent (``canonical[0].href``, ``summary.content``), Read You
(``origin.streamId`` is the feed key). The body goes in ``summary`` only (NewsFlash
may refuse both ``summary`` and ``content``); titles are plain text."""

from __future__ import annotations

from typing import Any

from tidings.aggregator.sync import Subscription
from tidings.api.greader.ids import feed_stream, item_long_id, label_stream, state_stream
from tidings.model import Entry

__all__ = ["entry_categories", "item_json", "subscription_json"]


def entry_categories(entry: Entry) -> list[str]:
    """The entry's streams: the reading list, its feed's folder, its tags, read, starred."""
    streams = [state_stream("reading-list")]
    if entry.category:
        streams.append(label_stream(entry.category))
    streams += [label_stream(tag) for tag in entry.tags]
    if entry.read:
        streams.append(state_stream("read"))
    if entry.starred:
        streams.append(state_stream("starred"))
    return streams


def item_json(entry: Entry, *, site_url: str | None = None) -> dict[str, Any]:
    """One item of ``stream/items/contents`` and ``stream/contents``."""
    crawled_ms = int(entry.first_seen.timestamp() * 1000)
    date = int(entry.date.timestamp())
    link = entry.link or site_url or entry.feed_url
    item: dict[str, Any] = {
        "id": item_long_id(entry.id),
        "crawlTimeMsec": str(crawled_ms),
        "timestampUsec": str(crawled_ms * 1000),
        "published": date,
        "updated": int((entry.updated or entry.date).timestamp()),
        "title": entry.title or "",
        "summary": {"direction": "ltr", "content": entry.content or entry.summary or ""},
        "canonical": [{"href": link}],
        "alternate": [{"href": link, "type": "text/html"}],
        "categories": entry_categories(entry),
        "origin": {
            "streamId": feed_stream(entry.feed_id),
            "title": entry.feed_title or entry.feed_url,
            "htmlUrl": site_url or "",
        },
        "enclosure": [
            {"href": e.url, "type": e.type or "", **({"length": str(e.length)} if e.length else {})}
            for e in entry.enclosures
        ],
    }
    if entry.author:
        item["author"] = entry.author
    return item


def subscription_json(sub: Subscription, *, icon_url: str | None = None) -> dict[str, Any]:
    """One subscription of ``subscription/list``."""
    categories = [{"id": label_stream(sub.category), "label": sub.category}] if sub.category else []
    out: dict[str, Any] = {
        "id": feed_stream(sub.id),
        "title": sub.title,
        "categories": categories,
        "url": sub.url,
        "htmlUrl": sub.link or "",
        "firstitemmsec": "0",
    }
    if icon_url:
        out["iconUrl"] = icon_url
    return out
