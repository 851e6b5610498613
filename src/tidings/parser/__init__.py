"""Tidings' own feed parser: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1.

``parse_feed`` turns untrusted bytes into a :class:`~tidings.model.FeedData`
whose HTML is sanitized, URLs are http(s) and absolute, texts are clean and
dates are aware UTC. It raises :class:`~tidings.errors.ParseError` and nothing
else, whatever the input.
"""

from __future__ import annotations

import logging

from tidings.errors import ParseError
from tidings.model import FeedData
from tidings.parser.discovery import find_feed_links, looks_like_feed
from tidings.parser.jsonfeed import looks_like_json, parse_json_feed
from tidings.parser.opml import OpmlFeed, parse_opml, write_opml
from tidings.parser.xmlfeed import parse_xml_feed

__all__ = [
    "OpmlFeed",
    "find_feed_links",
    "looks_like_feed",
    "parse_feed",
    "parse_opml",
    "write_opml",
]

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

DEFAULT_MAX_ENTRIES = 2000


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    sanitize: bool = True,
) -> FeedData:
    """Parse a feed document fetched from ``url``.

    ``content_type`` is the HTTP header (its charset outranks the XML prolog).
    At most ``max_entries`` entries are read, in document order.

    ``sanitize=False`` leaves ``summary``/``content`` (and the feed
    description) as the feed's raw, *untrusted* HTML, for a caller that
    sanitizes later, e.g. only the entries that are new after deduplication
    (nh3 is most of the parse time). URLs, texts and titles are cleaned either way.
    """
    if not body or body.isspace():
        raise ParseError("empty document")
    max_entries = max(0, max_entries)
    try:
        if looks_like_json(body):
            return parse_json_feed(body, url, max_entries, sanitize)
        return parse_xml_feed(body, url, content_type, max_entries, sanitize)
    except ParseError:
        raise
    except Exception as exc:  # the untrusted-input boundary: any failure is a ParseError
        log.warning("parser failed on %s", url, exc_info=True)
        raise ParseError(f"unreadable feed: {exc.__class__.__name__}") from exc
