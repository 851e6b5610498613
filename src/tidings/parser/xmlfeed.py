"""XML feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0): pick the reader by the root element."""

from __future__ import annotations

import dataclasses

from lxml import etree

from tidings.content.sanitize import safe_url
from tidings.errors import ParseError
from tidings.model import FeedData
from tidings.parser.atom import parse_atom
from tidings.parser.cdata import lifted
from tidings.parser.rss import parse_rss
from tidings.parser.xmldoc import parse_xml_document
from tidings.parser.xmltext import Context

__all__ = ["parse_xml_feed"]

_RSS_ROOTS = frozenset({"rss", "RDF", "rdf", "channel"})
_FEED_ROOTS = _RSS_ROOTS | {"feed", "entry"}
_MAX_WRAPPER_SCAN = 200


def parse_xml_feed(
    body: bytes, url: str, content_type: str | None, max_entries: int, sanitize: bool = True
) -> FeedData:
    """Parse an XML feed; ``ParseError`` if it is not XML or not a feed."""
    root, chunks, truncated = parse_xml_document(body, url, content_type)
    ctx = Context(safe_url(url) or url, b"xml:base" in body, sanitize)
    if truncated:
        ctx.tail = _last_element(root)
    with lifted(chunks):
        feed = _parse_root(root, ctx, max_entries)
    if truncated:
        warning = f"document truncated: {len(feed.entries)} entries read"
        feed = dataclasses.replace(feed, warning=warning)
    return feed


def _last_element(root: etree._Element) -> etree._Element:
    """The innermost last element: where a document that stops early was cut."""
    node = root
    while len(node):
        node = node[-1]
    return node


def _parse_root(root: etree._Element, ctx: Context, max_entries: int) -> FeedData:
    local = _local_name(root)
    if local not in _FEED_ROOTS:
        embedded = _embedded_feed(root)
        if embedded is not None:
            root, local = embedded, _local_name(embedded)
    if local in _RSS_ROOTS:
        return parse_rss(root, ctx, max_entries)
    if local == "feed":
        return parse_atom(root, ctx, max_entries)
    if local == "entry":  # a lone Atom entry document (RFC 4287 section 4.1.2)
        feed = etree.Element(root.tag.replace("entry", "feed"))
        feed.append(root)
        return parse_atom(feed, ctx, max_entries)
    raise ParseError(f"not a feed: root element <{local[:40]}>")


def _local_name(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _embedded_feed(root: etree._Element) -> etree._Element | None:
    """A feed wrapped in another document (say, an XHTML page), if any."""
    for count, el in enumerate(root.iter()):
        if count > _MAX_WRAPPER_SCAN:
            break
        if el is not root and _local_name(el) in _FEED_ROOTS:
            return el
    return None
