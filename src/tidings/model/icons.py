"""Feed icons (#12): the image shown beside a feed's name, fetched and kept by us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidings.model.ids import FeedId


@dataclass(frozen=True, slots=True)
class Icon:
    """A feed's stored icon: the image (None if no fetch ever succeeded) and the last try.

    ``content_type`` is what the bytes were sniffed as (never what the server said);
    ``error`` is why the last try failed (None: it succeeded). A failed refetch keeps
    the image an earlier one stored.
    """

    feed_id: FeedId
    data: bytes | None
    content_type: str | None
    source_url: str | None
    fetched_at: datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class IconJob:
    """A followed feed whose icon is to be fetched: the URLs it may come from."""

    feed_id: FeedId
    feed_url: str
    icon_url: str | None  # the feed's own icon or image (``feeds.icon``)
    link: str | None  # the site the feed belongs to (its favicon)
