"""Fever's JSON, with the types clients decode it by (§2.2): ids, flags and times as
integers (Read You's Gson ``Int?``, NewsFlash), id lists as comma strings (Fluent
Reader's ``typeof … === "string"``), every string present (``url`` non-null)."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tidings.aggregator.sync import Subscription
from tidings.model import Entry, Icon

API_VERSION = 3
#: the group of feeds filed under no category (CommaFeed's choice): not in ``groups``
UNCATEGORIZED = 0
#: the ``favicon_id`` of a feed without a stored icon: no favicon has it (a favicon's id
#: is its feed's, and feed ids start at 1)
NO_FAVICON = 0


def seconds(dt: datetime | None) -> int:
    return int(dt.timestamp()) if dt is not None else 0


def base(*, auth: bool, last_refreshed: datetime | None = None) -> dict[str, Any]:
    """What every answer carries, a refusal too."""
    return {
        "api_version": API_VERSION,
        "auth": int(auth),
        "last_refreshed_on_time": seconds(last_refreshed) if auth else 0,
    }


def id_string(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def groups(categories: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"id": int(i), "title": name} for i, name in categories]


def feeds_groups(
    categories: Sequence[tuple[int, str]], feeds: Sequence[Subscription]
) -> list[dict[str, Any]]:
    """Every feed in exactly one group (Read You's ``feedsGroupsMap[id]!!``): its
    category's, or ``UNCATEGORIZED``; groups without feeds are left out."""
    ids = {name: i for i, name in categories}
    members: dict[int, list[int]] = {}
    for feed in feeds:
        group = ids.get(feed.category, UNCATEGORIZED) if feed.category else UNCATEGORIZED
        members.setdefault(group, []).append(int(feed.id))
    return [
        {"group_id": group, "feed_ids": id_string(sorted(members[group]))}
        for group in sorted(members)
    ]


def feed(sub: Subscription, *, has_icon: bool = False) -> dict[str, Any]:
    return {
        "id": int(sub.id),
        "favicon_id": int(sub.id) if has_icon else NO_FAVICON,
        "title": sub.title,
        "url": sub.url,
        "site_url": sub.link or "",
        "is_spark": 0,
        "last_updated_on_time": seconds(sub.last_updated),
    }


def favicon(icon: Icon) -> dict[str, Any]:
    """Fever's ``{"id", "data": "image/gif;base64,R0lGOD..."}``, under the feed's id."""
    assert icon.data is not None and icon.content_type is not None  # Sync.get_icons
    encoded = base64.b64encode(icon.data).decode("ascii")
    return {"id": int(icon.feed_id), "data": f"{icon.content_type};base64,{encoded}"}


def item(entry: Entry) -> dict[str, Any]:
    return {
        "id": int(entry.id),
        "feed_id": int(entry.feed_id),
        "title": entry.title or "",
        "author": entry.author or "",
        "html": entry.content or entry.summary or "",
        "url": entry.link or "",
        "is_saved": int(entry.starred),
        "is_read": int(entry.read),
        "created_on_time": seconds(entry.date),  # the date the web reader shows
    }
