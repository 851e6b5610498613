"""XML feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0): pick the reader by the root element."""

from __future__ import annotations

from lxml import etree

from tidings.content.sanitize import safe_url
from tidings.errors import ParseError
from tidings.model import FeedData
from tidings.parser.atom import parse_atom
from tidings.parser.cdata import lifted
from tidings.parser.mojibake import has_c1, repair_feed
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
    root, chunks = parse_xml_document(body, url, content_type)
    with lifted(chunks):
        feed = _parse_root(root, url, max_entries, sanitize, b"xml:base" in body)
    return repair_feed(feed) if has_c1(body) else feed


def _parse_root(
    root: etree._Element, url: str, max_entries: int, sanitize: bool, has_base: bool
) -> FeedData:
    local = _local_name(root)
    if local not in _FEED_ROOTS:
        embedded = _embedded_feed(root)
        if embedded is not None:
            root, local = embedded, _local_name(embedded)
    ctx = Context(safe_url(url) or url, has_base, sanitize)
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
