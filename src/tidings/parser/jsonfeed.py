"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) to FeedData.

Lenient about field types (a field of the wrong type is ignored), strict about
the document's shape: it must be an object with an ``items`` list.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from tidings.content.sanitize import clean_text, safe_url, sanitize_clean_html
from tidings.errors import ParseError
from tidings.model import Enclosure, EntryData, FeedData
from tidings.parser.dates import parse_date
from tidings.parser.encoding import sniff_bom
from tidings.parser.identity import pick_id, unique_entries
from tidings.parser.mojibake import has_c1, repair_feed
from tidings.parser.xmltext import plain_title

__all__ = ["looks_like_json", "parse_json_feed"]

Clean = Callable[[str, str], str]


def _raw(html: str, base: str) -> str:
    """The no-op stand-in for the sanitizer (``sanitize=False``)."""
    return html


_JSON_START_RE = re.compile(rb"[ \t\r\n]*(?:\xef\xbb\xbf)?[ \t\r\n]*\{")


def looks_like_json(body: bytes) -> bool:
    """True if the first significant byte opens a JSON object (no copy of ``body``)."""
    return _JSON_START_RE.match(body) is not None


def _load(body: bytes) -> dict[str, Any]:
    bom, bom_len = sniff_bom(body)
    text = body[bom_len:].decode(bom or "utf-8", "replace")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise ParseError("JSON document is not an object")
    return data


def _str(value: object) -> str | None:
    """A non-empty cleaned string, or None for anything else."""
    if isinstance(value, str):
        value = clean_text(value).strip()
        return value or None
    return None


def _text_html(value: object) -> str | None:
    text = _str(value)
    return html.escape(text, quote=False) if text else None


def _authors(data: dict[str, Any]) -> str | None:
    people = data.get("authors")
    if not isinstance(people, list):
        people = [data.get("author")]
    names = []
    for person in people:
        if isinstance(person, dict):
            name = _str(person.get("name"))
            if name:
                names.append(plain_title(name) or name)
    return ", ".join(names) or None


def _attachments(value: object, base: str) -> tuple[Enclosure, ...]:
    if not isinstance(value, list):
        return ()
    found: list[Enclosure] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        url = safe_url(_str(item.get("url")), base)
        if url is None:
            continue
        size = item.get("size_in_bytes")
        if isinstance(size, str) and size.strip().isdigit():
            size = int(size)
        valid = isinstance(size, int) and not isinstance(size, bool) and size >= 0
        length = size if valid else None
        found.append(Enclosure(url=url, type=_str(item.get("mime_type")), length=length))
    return tuple(found)


def _tags(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    tags: list[str] = []
    for tag in value:
        cleaned = _str(tag)
        text = plain_title(cleaned) if cleaned else None
        if text and text not in tags:
            tags.append(text)
    return tuple(tags)


def _item(item: dict[str, Any], base: str, feed_author: str | None, clean: Clean) -> EntryData:
    raw_id = item.get("id")
    guid = str(raw_id) if isinstance(raw_id, int | float) and not isinstance(raw_id, bool) else None
    guid = guid or _str(raw_id)
    link = safe_url(_str(item.get("url")), base) or safe_url(_str(item.get("external_url")), base)
    title = _str(item.get("title"))
    title = plain_title(title) if title else None
    content_html = _str(item.get("content_html"))
    content = clean(content_html, link or base) if content_html else None
    content = content or _text_html(item.get("content_text"))
    summary = _text_html(item.get("summary"))
    return EntryData(
        id=pick_id(guid, link, title, summary, content),
        title=title,
        link=link,
        author=_authors(item) or feed_author,
        published=parse_date(_str(item.get("date_published"))),
        updated=parse_date(_str(item.get("date_modified"))),
        summary=summary,
        content=content,
        categories=_tags(item.get("tags")),
        enclosures=_attachments(item.get("attachments"), base),
        image=safe_url(_str(item.get("image")), base)
        or safe_url(_str(item.get("banner_image")), base),
        language=_str(item.get("language")),
    )


def _hub(value: object) -> str | None:
    if not isinstance(value, list):
        return None
    for hub in value:
        if isinstance(hub, dict) and str(hub.get("type", "")).lower() == "websub":
            return safe_url(_str(hub.get("url")))
    return None


def parse_json_feed(body: bytes, url: str, max_entries: int, sanitize: bool = True) -> FeedData:
    """A JSON Feed (or RSS-in-JSON) document; C1 controls repaired as in XML feeds."""
    feed = _parse_json_feed(body, url, max_entries, sanitize)
    return repair_feed(feed) if has_c1(body) else feed


def _parse_json_feed(body: bytes, url: str, max_entries: int, sanitize: bool) -> FeedData:
    """Parse a JSON Feed document; ``ParseError`` if it is not one."""
    data = _load(body)
    base = safe_url(url) or url
    clean: Clean = sanitize_clean_html if sanitize else _raw
    rss = data.get("rss")
    if isinstance(rss, dict) and isinstance(rss.get("channel"), dict):
        return _parse_rss_json(rss["channel"], base, max_entries, clean)
    items = data.get("items")
    version = data.get("version")
    if not isinstance(items, list):
        raise ParseError("not a JSON Feed: no items list")
    feed_author = _authors(data)
    title = _str(data.get("title"))
    description = _str(data.get("description"))
    return FeedData(
        version="json11" if isinstance(version, str) and version.endswith("1.1") else "json10",
        title=plain_title(title) if title else None,
        link=safe_url(_str(data.get("home_page_url")), base),
        description=html.escape(description, quote=False) if description else None,
        language=_str(data.get("language")),
        image=safe_url(_str(data.get("icon")), base),
        icon=safe_url(_str(data.get("favicon")), base),
        hub=_hub(data.get("hubs")),
        self_url=safe_url(_str(data.get("feed_url")), base),
        entries=unique_entries(
            _item(item, base, feed_author, clean)
            for item in items[:max_entries]
            if isinstance(item, dict)
        ),
    )


def _rss_json_item(item: dict[str, Any], base: str, clean: Clean) -> EntryData:
    guid = item.get("guid")
    guid = _str(guid.get("#value") if isinstance(guid, dict) else guid)
    link = safe_url(_str(item.get("link")), base)
    title = _str(item.get("title"))
    title = plain_title(title) if title else None
    description = _str(item.get("description"))
    summary = clean(description, base) if description else None
    categories = item.get("category")
    return EntryData(
        id=pick_id(guid, link, title, summary),
        title=title,
        link=link,
        author=_str(item.get("author")),
        published=parse_date(_str(item.get("pubDate"))),
        summary=summary,
        categories=_tags(categories if isinstance(categories, list) else [categories]),
    )


def _parse_rss_json(channel: dict[str, Any], base: str, max_entries: int, clean: Clean) -> FeedData:
    """Dave Winer's RSS-in-JSON (``{"rss": {"channel": {...}}}``), read as RSS 2.0."""
    items = channel.get("item")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        items = []
    title = _str(channel.get("title"))
    description = _str(channel.get("description"))
    return FeedData(
        version="rss20",
        title=plain_title(title) if title else None,
        link=safe_url(_str(channel.get("link")), base),
        description=clean(description, base) if description else None,
        language=_str(channel.get("language")),
        updated=parse_date(_str(channel.get("lastBuildDate")) or _str(channel.get("pubDate"))),
        entries=unique_entries(
            _rss_json_item(item, base, clean)
            for item in items[:max_entries]
            if isinstance(item, dict)
        ),
    )
