"""JSON Feed 1.1 by hand (it is small): https://www.jsonfeed.org/version/1.1/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tidings.publish.channel import Channel
from tidings.publish.items import Item, clean_channel

__all__ = ["VERSION", "render_json"]

VERSION = "https://jsonfeed.org/version/1.1"


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def _item(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id}
    if item.link:
        out["url"] = item.link
    out["title"] = item.title
    out["content_html"] = item.html
    if item.lead:
        out["summary"] = item.lead
    if item.image:
        out["image"] = item.image
    out["date_published"] = _iso(item.published)
    out["date_modified"] = _iso(item.updated)
    if item.author:
        out["authors"] = [{"name": item.author}]
    if item.categories:
        out["tags"] = list(item.categories)
    if item.language:
        out["language"] = item.language
    if item.attachments:
        out["attachments"] = [
            {"url": a.url, "mime_type": a.type or "application/octet-stream"}
            | ({"size_in_bytes": a.length} if a.length else {})
            for a in item.attachments
        ]
    source: dict[str, Any] = {"title": item.source.title}
    if item.source.site_url:
        source["home_page_url"] = item.source.site_url
    source["feed_url"] = item.source.feed_url
    out["_source"] = source
    return out


def render_json(channel: Channel, items: Sequence[Item]) -> bytes:
    channel = clean_channel(channel)
    doc: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.home_url,
        "feed_url": channel.self_url,
    }
    if channel.description:
        doc["description"] = channel.description
    if channel.next_url:
        doc["next_url"] = channel.next_url
    if channel.hub_url:
        doc["hubs"] = [{"type": "WebSub", "url": channel.hub_url}]
    doc["items"] = [_item(i) for i in items]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
