"""Feeds out (issue 14): RSS, Atom and JSON Feed of a selection of stories, each
crediting its source, and the data of public pages. Pure, like ``content``.

The interface the web and the CLI build on::

    render(channel, entries, origins, "atom") -> bytes

``entries`` come newest first, one per story (the caller collapsed a story's
copies; each ``Entry.duplicates`` lists the others, shown as "Also reported by").
What each format carries, the ids and the escaping: README.md here. A public
page shows the same ``Item`` a feed carries (``build_item``): headline, credit
("Source — Section"), time, lead, the text where full text is allowed, the link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tidings.model import Entry, FeedId
from tidings.publish.channel import MEDIA_TYPES, Channel, Format, Origin
from tidings.publish.items import Attachment, Credit, Item, build_item
from tidings.publish.jsonfeed import render_json
from tidings.publish.xmlfeeds import render_atom, render_rss

__all__ = [
    "MEDIA_TYPES",
    "Attachment",
    "Channel",
    "Credit",
    "Format",
    "Item",
    "Origin",
    "build_item",
    "render",
]

_WRITERS = {"rss": render_rss, "atom": render_atom, "json": render_json}


def render(
    channel: Channel,
    entries: Sequence[Entry],
    origins: Mapping[FeedId, Origin],
    fmt: Format,
) -> bytes:
    """The feed document of ``entries`` (in the order given) in format ``fmt``, UTF-8.

    ``origins`` names each entry's source feed by ``Entry.feed_id``; an entry whose
    feed is missing there is credited with what it says itself (``feed_url``,
    ``feed_title``). Raises ``ValueError`` for an unknown format.
    """
    try:
        write = _WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown feed format {fmt!r}") from None
    items = [build_item(e, origins.get(e.feed_id), full_text=channel.full_text) for e in entries]
    return write(channel, items)
