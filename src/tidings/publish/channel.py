"""What a published feed is rendered from: the channel, its items' origins, the formats (#14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tidings.model import FeedId

Format = Literal["rss", "atom", "json"]

MEDIA_TYPES: dict[Format, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Channel:
    """The published feed itself."""

    title: str
    self_url: str  # this document's own address (rel=self)
    home_url: str  # the public page, or the reader's list the selection is
    id: str  # stable across requests (Atom id, JSON Feed home id)
    updated: datetime  # the newest item's time, or the publication's creation
    description: str | None = None
    hub_url: str | None = None  # WebSub hub (rel=hub), when configured
    full_text: bool = True  # False: each item carries the lead and the link only
    next_url: str | None = None  # the next page (?before=), when there is one


@dataclass(frozen=True, slots=True)
class Origin:
    """The source feed an item came from, as its credit names it."""

    feed_id: FeedId
    feed_url: str
    title: str
    site_url: str | None = None  # the source's home page
    updated: datetime | None = None
