"""OPML subscription lists in and out.

Reading uses the same hardened libxml2 settings as feeds (no entities, no
network, no DTD, depth-limited), caps the number of feeds, keeps http(s)
URLs only (``feed://`` becomes ``http://``) and drops duplicate URLs. A feed's
category is the title of the folder outline it sits in (the innermost one),
else the first entry of its OPML 2.0 ``category`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from tidings.content.sanitize import clean_text, safe_url
from tidings.errors import ParseError
from tidings.parser.fields import MAX_TITLE_CHARS, plain_text
from tidings.parser.xmldoc import parse_xml_root

__all__ = ["MAX_OPML_FEEDS", "OpmlFeed", "parse_opml", "write_opml"]

MAX_OPML_FEEDS = 5000
MAX_OPML_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None = None
    category: str | None = None
    html_url: str | None = None  # the site the feed belongs to (http or https only)


def _attr(el: etree._Element, *names: str) -> str | None:
    for name in names:
        value = el.get(name)
        if value is not None:
            # Titles and folders as plain text: control characters out, capped.
            value = plain_text(value, MAX_TITLE_CHARS)
            if value:
                return value
    return None


def _feed_url(raw: str) -> str | None:
    raw = raw.strip()
    if raw[:7].lower() == "feed://":
        raw = "http://" + raw[7:]
    elif raw[:5].lower() == "feed:":
        raw = raw[5:]
    return safe_url(raw)


def _category_attr(el: etree._Element) -> str | None:
    value = _attr(el, "category")
    if not value:
        return None
    first = value.split(",")[0].strip().strip("/")
    return first.rsplit("/", 1)[-1].strip() or None


def parse_opml(body: bytes, *, max_feeds: int = MAX_OPML_FEEDS) -> list[OpmlFeed]:
    """The feeds an OPML document lists, in document order, deduplicated by URL."""
    if len(body) > MAX_OPML_BYTES:
        raise ParseError("OPML document too large")
    try:
        root = parse_xml_root(body, "", None)
    except ParseError:
        raise
    except Exception as exc:  # untrusted-input boundary
        raise ParseError(f"unreadable OPML: {exc.__class__.__name__}") from exc
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2].lower() != "opml":
        raise ParseError("not an OPML document")
    body_el = next((c for c in root if c.tag == "body"), None)
    feeds: list[OpmlFeed] = []
    if body_el is not None:
        _walk(body_el, None, feeds, set(), max_feeds)
    return feeds


def _walk(
    parent: etree._Element,
    folder: str | None,
    feeds: list[OpmlFeed],
    seen: set[str],
    max_feeds: int,
) -> None:
    for outline in parent:
        if len(feeds) >= max_feeds:
            return
        if outline.tag != "outline":
            continue
        xml_url = outline.get("xmlUrl") or outline.get("xmlurl") or outline.get("url")
        if xml_url:
            url = _feed_url(xml_url)
            if url and url not in seen:
                seen.add(url)
                category = folder or _category_attr(outline)
                title = _attr(outline, "title", "text")
                site = safe_url((outline.get("htmlUrl") or outline.get("htmlurl") or "").strip())
                feeds.append(
                    OpmlFeed(url, title if title != xml_url else None, category, site or None)
                )
        elif len(outline):
            _walk(outline, _attr(outline, "text", "title") or folder, feeds, seen, max_feeds)


def write_opml(feeds: Iterable[OpmlFeed], *, title: str = "Tidings subscriptions") -> bytes:
    """An OPML 2.0 document: one folder outline per category, feeds inside."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean_text(title)
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for feed in feeds:
        parent = body
        if feed.category:
            category = clean_text(feed.category)
            folder = folders.get(category)
            if folder is None:
                folder = etree.SubElement(body, "outline", text=category, title=category)
                folders[category] = folder
            parent = folder
        name = clean_text(feed.title or feed.url)
        outline = etree.SubElement(
            parent, "outline", type="rss", text=name, title=name, xmlUrl=clean_text(feed.url)
        )
        site = safe_url(feed.html_url or "")
        if site:
            outline.set("htmlUrl", clean_text(site))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
