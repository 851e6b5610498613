"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) to FeedData.

Lenient about field types (a field of the wrong type is ignored), strict about
the document's shape: it must be an object with an ``items`` list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tidings.content.sanitize import safe_url
from tidings.errors import ParseError
from tidings.model import Enclosure, EntryData, FeedData
from tidings.parser.dates import parse_date
from tidings.parser.encoding import sniff_bom
from tidings.parser.fields import (
    MAX_AUTHOR_CHARS,
    MAX_CATEGORIES,
    MAX_CATEGORY_CHARS,
    MAX_CONTENT_CHARS,
    MAX_LANGUAGE_CHARS,
    MAX_SUMMARY_CHARS,
    cap_text,
    clean_html,
    plain_text,
    plain_title,
    strip_controls,
    text_as_html,
)
from tidings.parser.identity import pick_id, unique_entries
from tidings.parser.media import parse_duration
from tidings.parser.mojibake import has_c1, repair_feed

__all__ = ["looks_like_json", "parse_json_feed"]

Clean = Callable[[str, str, int], str | None]


class _Number(str):
    """A JSON number kept as the text it was written as: ids and sizes are read from
    it as values, and no number (``1e999999``, 4,301 digits) can reject a feed."""

    __slots__ = ()


def _sanitized(raw: str, base: str, limit: int) -> str | None:
    return clean_html(raw, base, limit)


def _raw(raw: str, base: str, limit: int) -> str | None:
    """The stand-in for the sanitizer (``sanitize=False``): cut and controls out only."""
    return clean_html(raw, base, limit, sanitize=False)


_JSON_START_RE = re.compile(rb"[ \t\r\n]*(?:\xef\xbb\xbf)?[ \t\r\n]*\{")


def looks_like_json(body: bytes) -> bool:
    """True if the first significant byte opens a JSON object (no copy of ``body``)."""
    return _JSON_START_RE.match(body) is not None


def _load(body: bytes) -> dict[str, Any]:
    bom, bom_len = sniff_bom(body)
    text = body[bom_len:].decode(bom or "utf-8", "replace")
    try:
        data = json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_Number)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {exc.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise ParseError("JSON document is not an object")
    return data


def _str(value: object) -> str | None:
    """A non-empty string without control characters, or None for anything else
    (a number included: a field of the wrong type is ignored)."""
    if isinstance(value, str) and not isinstance(value, _Number):
        return strip_controls(value).strip() or None
    return None


def _text_html(value: object, limit: int = MAX_SUMMARY_CHARS) -> str | None:
    return text_as_html(value, limit) if isinstance(value, str) and value.strip() else None


def _title(value: object) -> str | None:
    return plain_title(value) if isinstance(value, str) and value.strip() else None


def _authors(data: dict[str, Any]) -> str | None:
    people = data.get("authors")
    if not isinstance(people, list):
        people = [data.get("author")]
    names = []
    for person in people:
        if isinstance(person, dict):
            name = _title(person.get("name"))
            if name:
                names.append(name)
    return cap_text(", ".join(names), MAX_AUTHOR_CHARS) if names else None


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
        digits = size.strip() if isinstance(size, str) else ""
        # 18 digits: any real size, and below int()'s and the database's limits.
        length = int(digits) if digits.isdigit() and len(digits) <= 18 else None
        seconds = item.get("duration_in_seconds")
        duration = parse_duration(seconds) if isinstance(seconds, _Number) else None
        found.append(
            Enclosure(url=url, type=_str(item.get("mime_type")), length=length, duration=duration)
        )
    return tuple(found)


def _tags(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    tags: list[str] = []
    for tag in value:
        text = _str(tag) and plain_title(tag, MAX_CATEGORY_CHARS)
        if text and text not in tags:
            tags.append(text)
            if len(tags) == MAX_CATEGORIES:
                break
    return tuple(tags)


def _item(item: dict[str, Any], base: str, feed_author: str | None, clean: Clean) -> EntryData:
    raw_id = item.get("id")
    guid = str.__str__(raw_id) if isinstance(raw_id, _Number) else _str(raw_id)
    link = safe_url(_str(item.get("url")), base) or safe_url(_str(item.get("external_url")), base)
    title = _title(item.get("title"))
    content_html = _str(item.get("content_html"))
    content = clean(content_html, link or base, MAX_CONTENT_CHARS) if content_html else None
    content = content or _text_html(item.get("content_text"), MAX_CONTENT_CHARS)
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
        language=_language(item.get("language")),
    )


def _language(value: object) -> str | None:
    return plain_text(value, MAX_LANGUAGE_CHARS) if isinstance(value, str) else None


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
    clean: Clean = _sanitized if sanitize else _raw
    rss = data.get("rss")
    if isinstance(rss, dict) and isinstance(rss.get("channel"), dict):
        return _parse_rss_json(rss["channel"], base, max_entries, clean)
    items = data.get("items")
    version = data.get("version")
    if not isinstance(items, list):
        raise ParseError("not a JSON Feed: no items list")
    feed_author = _authors(data)
    return FeedData(
        version="json11" if isinstance(version, str) and version.endswith("1.1") else "json10",
        title=_title(data.get("title")),
        link=safe_url(_str(data.get("home_page_url")), base),
        description=_text_html(data.get("description")),
        language=_language(data.get("language")),
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
    title = _title(item.get("title"))
    description = _str(item.get("description"))
    summary = clean(description, base, MAX_SUMMARY_CHARS) if description else None
    categories = item.get("category")
    author = item.get("author")
    return EntryData(
        id=pick_id(guid, link, title, summary),
        title=title,
        link=link,
        author=plain_title(author, MAX_AUTHOR_CHARS) if isinstance(author, str) else None,
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
    description = _str(channel.get("description"))
    return FeedData(
        version="rss20",
        title=_title(channel.get("title")),
        link=safe_url(_str(channel.get("link")), base),
        description=clean(description, base, MAX_SUMMARY_CHARS) if description else None,
        language=_language(channel.get("language")),
        updated=parse_date(_str(channel.get("lastBuildDate")) or _str(channel.get("pubDate"))),
        entries=unique_entries(
            _rss_json_item(item, base, clean)
            for item in items[:max_entries]
            if isinstance(item, dict)
        ),
    )
