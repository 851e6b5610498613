"""RSS 0.9x / 2.0 and RSS 1.0 (RDF) documents to FeedData.

Each element's children are walked once and dispatched on their Clark tag
through a dict (no XPath), which keeps the per-entry cost low.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from itertools import islice

from lxml import etree

from tidings.content.sanitize import clean_text, safe_url
from tidings.model import Enclosure, EntryData, FeedData
from tidings.parser.dates import parse_date
from tidings.parser.fields import MAX_CATEGORIES, MAX_CATEGORY_CHARS, MAX_CONTENT_CHARS, plain_title
from tidings.parser.identity import pick_id, unique_entries
from tidings.parser.media import media_files, merged, parse_duration
from tidings.parser.xmltext import (
    ATOM10,
    CONTENT,
    DC,
    DCTERMS,
    ITUNES,
    ITUNES_ALT,
    MEDIA_NS,
    RDF,
    RSS090,
    RSS10,
    SY,
    XHTML,
    XML_LANG,
    Context,
    enclosure,
    html_field,
    language_tag,
    media_description,
    media_group_description,
    media_image,
    person_name,
    text_of,
    xhtml_markup,
)

__all__ = ["parse_rss"]

RDF_ABOUT = f"{{{RDF}}}about"

(TITLE, LINK, GUID, DESC, CONTENT_, AUTHOR, PUBLISHED, UPDATED, CATEGORY, ENCLOSURE,
 COMMENTS, MEDIA_, ITUNES_IMAGE, ALT_SUMMARY, ATOM_LINK, LANGUAGE, ITEM, IMAGE, TTL,
 SY_PERIOD, SY_FREQUENCY, ALT_TITLE, XHTML_BODY, ITUNES_CATEGORY,
 ITUNES_LINK, ITUNES_DURATION, MEDIA_DESC) = range(27)  # fmt: skip


def _rss(local: str) -> list[str]:
    """``local`` without namespace and in the RSS 1.0 / 0.90 namespaces."""
    return [local, f"{{{RSS10}}}{local}", f"{{{RSS090}}}{local}"]


def _kinds(*pairs: tuple[list[str], int]) -> dict[str, int]:
    return {tag: kind for tags, kind in pairs for tag in tags}


_COMMON = (
    (_rss("title"), TITLE),
    ([f"{{{DC}}}title"], ALT_TITLE),
    (_rss("link"), LINK),
    ([*_rss("description"), f"{{{DC}}}description"], DESC),
    ([f"{{{ns}}}{n}" for ns in (ITUNES, ITUNES_ALT) for n in ("summary", "subtitle")], ALT_SUMMARY),
    ([f"{{{ITUNES}}}image", f"{{{ITUNES_ALT}}}image"], ITUNES_IMAGE),
    ([f"{{{ATOM10}}}link"], ATOM_LINK),
    (["pubDate", f"{{{DCTERMS}}}issued", f"{{{DCTERMS}}}created"], PUBLISHED),
    ([f"{{{DC}}}date", f"{{{DCTERMS}}}modified", f"{{{ATOM10}}}updated"], UPDATED),
)
_ITEM_KINDS = _kinds(
    *_COMMON,
    (["guid"], GUID),
    ([f"{{{CONTENT}}}encoded", "fullitem"], CONTENT_),
    ([f"{{{XHTML}}}body", "body"], XHTML_BODY),
    ([f"{{{ITUNES}}}category", f"{{{ITUNES_ALT}}}category"], ITUNES_CATEGORY),
    (["author", f"{{{DC}}}creator", f"{{{DC}}}author"], AUTHOR),
    ([f"{{{ITUNES}}}author", f"{{{ITUNES_ALT}}}author"], AUTHOR),
    ([f"{{{ITUNES}}}duration", f"{{{ITUNES_ALT}}}duration"], ITUNES_DURATION),
    (["category", f"{{{DC}}}subject", *(f"{{{ns}}}category" for ns in MEDIA_NS)], CATEGORY),
    ([f"{{{ns}}}title" for ns in MEDIA_NS], ALT_TITLE),
    ([f"{{{ns}}}description" for ns in MEDIA_NS], MEDIA_DESC),
    (["enclosure"], ENCLOSURE),
    (["comments"], COMMENTS),
    ([f"{{{ns}}}{n}" for ns in MEDIA_NS for n in ("thumbnail", "content", "group")], MEDIA_),
    ([f"{{{DC}}}language"], LANGUAGE),
)
_CHANNEL_KINDS = _kinds(
    *_COMMON,
    (["lastBuildDate"], UPDATED),
    (_rss("item"), ITEM),
    (_rss("image"), IMAGE),
    (["language", f"{{{DC}}}language"], LANGUAGE),
    (["ttl"], TTL),
    ([f"{{{SY}}}updatePeriod"], SY_PERIOD),
    ([f"{{{SY}}}updateFrequency"], SY_FREQUENCY),
    ([f"{{{ITUNES}}}link", f"{{{ITUNES_ALT}}}link"], ITUNES_LINK),  # old-style rel="image"
)
_CHANNEL_TAGS = frozenset({"channel", f"{{{RSS10}}}channel", f"{{{RSS090}}}channel"})
_PERIOD_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}


def _atom_link(el: etree._Element, base: str) -> tuple[str, str | None]:
    rel = (el.get("rel") or "alternate").strip().lower()
    return rel, safe_url(el.get("href"), base)


@lru_cache(maxsize=16)
def _kind_tables(ns: str) -> tuple[dict[str, int], dict[str, int]]:
    """Item and channel tables for RSS elements put in a default namespace ``ns``."""
    tables = []
    for table in (_ITEM_KINDS, _CHANNEL_KINDS):
        extra = {f"{{{ns}}}{tag}": kind for tag, kind in table.items() if "}" not in tag}
        tables.append({**table, **extra})
    return tables[0], tables[1]


def _item(item: etree._Element, ctx: Context, kinds: dict[str, int]) -> EntryData:
    """One ``<item>``. A single flat loop on purpose: this is the hottest code of the
    parser, and a handler function per tag would add a call per child element."""
    title = alt_title = link = guid = author = summary = alt_summary = content = None
    comments = image = language = None
    published: datetime | None = None
    updated: datetime | None = None
    guid_is_link = False
    categories: list[str] = []
    enclosures: list[Enclosure] = []
    media: list[Enclosure] = []
    duration: int | None = None
    base = ctx.base_of(item)
    for child in item:
        kind = kinds.get(child.tag)
        if kind is None:
            continue
        if kind == TITLE:
            if title is None:
                title = plain_title(text_of(child))
        elif kind == LINK:
            if link is None:
                link = safe_url(text_of(child).strip(), ctx.base_of(child))
        elif kind == DESC:
            if summary is None:
                summary = html_field(child, ctx)
        elif kind == GUID:
            guid = clean_text(text_of(child).strip()) or None
            guid_is_link = (child.get("isPermaLink") or "true").strip().lower() == "true"
        elif kind == PUBLISHED:  # the last date wins, as in feedparser
            published = parse_date(text_of(child)) or published
        elif kind == UPDATED:
            updated = parse_date(text_of(child)) or updated
        elif kind == CONTENT_:
            if content is None:
                content = html_field(child, ctx, MAX_CONTENT_CHARS)
        elif kind == XHTML_BODY:
            if content is None:
                content = ctx.html(xhtml_markup(child), child, MAX_CONTENT_CHARS)
        elif kind == AUTHOR:
            author = author or person_name(text_of(child))
        elif kind == CATEGORY:
            term = plain_title(text_of(child), MAX_CATEGORY_CHARS)
            if term and term not in categories and len(categories) < MAX_CATEGORIES:
                categories.append(term)
        elif kind == ENCLOSURE:
            found = enclosure(child.get("url"), child.get("type"), child.get("length"), base)
            if found and found not in enclosures:
                enclosures.append(found)
        elif kind == COMMENTS:
            comments = comments or safe_url(text_of(child).strip(), base)
        elif kind == MEDIA_:
            image = image or media_image(child, base)
            alt_summary = alt_summary or media_group_description(child, ctx)
            media += media_files(child, base)
        elif kind == ITUNES_DURATION:
            duration = duration or parse_duration(text_of(child))
        elif kind == ITUNES_IMAGE:
            image = image or safe_url(child.get("href") or child.get("url"), base)
        elif kind == ITUNES_CATEGORY:
            for node in child.iter():
                term = plain_title(node.get("text") or "", MAX_CATEGORY_CHARS)
                if term and term not in categories and len(categories) < MAX_CATEGORIES:
                    categories.append(term)
        elif kind == ALT_SUMMARY:
            alt_summary = alt_summary or html_field(child, ctx)
        elif kind == MEDIA_DESC:
            alt_summary = alt_summary or media_description(child, ctx)
        elif kind == ALT_TITLE:
            alt_title = alt_title or plain_title(text_of(child))
        elif kind == LANGUAGE:
            language = language or language_tag(text_of(child))
        elif kind == ATOM_LINK:
            rel, href = _atom_link(child, base)
            if rel == "alternate" and link is None:
                link = href
            elif rel == "enclosure" and href:
                enclosures.append(Enclosure(href, child.get("type"), None))
    if link is None and guid and guid_is_link:
        link = safe_url(guid, base) if guid.startswith(("http://", "https://")) else None
    if guid is None and ctx.rdf:
        guid = item.get(RDF_ABOUT)
    title = title or alt_title
    summary = summary or alt_summary
    lang = item.get(XML_LANG)
    return EntryData(
        id=pick_id(guid, link, title, summary, content),
        title=title,
        link=link,
        author=author,
        published=published,
        updated=updated,
        summary=summary,
        content=content,
        categories=tuple(categories),
        enclosures=merged(enclosures, media, duration),
        image=image,
        comments=comments,
        language=language or (language_tag(lang) if lang else None),
    )


def _version(root: etree._Element) -> str:
    if root.tag == f"{{{RDF}}}RDF":
        rss090 = root.nsmap.get(None) == RSS090 or root.find(f"{{{RSS090}}}channel") is not None
        return "rss090" if rss090 else "rss10"
    version = (root.get("version") or "").strip()
    if version == "0.91":
        return "rss091"
    if version == "0.92":
        return "rss092"
    if version == "0.90":
        return "rss090"
    return "rss20"


def _image_url(el: etree._Element, base: str) -> str | None:
    for child in el:
        if child.tag in ("url", f"{{{RSS10}}}url", f"{{{RSS090}}}url"):
            return safe_url(text_of(child).strip(), base)
    return safe_url(el.get(f"{{{RDF}}}resource"), base)


def _ttl(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 9 else None


class _Channel:
    """Feed-level fields gathered while walking the channel (and, for RDF, the root)."""

    __slots__ = ("fields", "items", "sy_frequency", "sy_period")

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.items: list[etree._Element] = []
        self.sy_period: str | None = None
        self.sy_frequency: str | None = None

    def set(self, name: str, value: object) -> None:
        if value is not None and name not in self.fields:
            self.fields[name] = value


def _walk_channel(
    el: etree._Element, ctx: Context, chan: _Channel, max_items: int, kinds: dict[str, int]
) -> None:
    base = ctx.base_of(el)
    for child in el:
        kind = kinds.get(child.tag)
        if kind is None:
            tag = child.tag
            if not isinstance(tag, str) or tag.islower() or "}" in tag:
                continue
            kind = kinds.get(tag.lower())  # <TiTlE>: iTunes reads names case-insensitively
            if kind is None:
                continue
        if kind == ITEM:
            if len(chan.items) < max_items:
                chan.items.append(child)
        elif kind in (TITLE, ALT_TITLE):
            chan.set("title" if kind == TITLE else "alt_title", plain_title(text_of(child)))
        elif kind == LINK:
            chan.set("link", safe_url(text_of(child).strip(), ctx.base_of(child)))
        elif kind in (DESC, ALT_SUMMARY):
            chan.set("description" if kind == DESC else "alt_description", html_field(child, ctx))
        elif kind in (UPDATED, PUBLISHED):
            chan.set("updated" if kind == UPDATED else "published", parse_date(text_of(child)))
        elif kind == LANGUAGE:
            chan.set("language", language_tag(text_of(child)))
        elif kind == IMAGE:
            chan.set("image", _image_url(child, base))
        elif kind == ITUNES_IMAGE:
            chan.set("itunes_image", safe_url(child.get("href") or child.get("url"), base))
        elif kind == ITUNES_LINK and (child.get("rel") or "").strip().lower() == "image":
            chan.set("itunes_image", safe_url(child.get("href"), base))
        elif kind == TTL:
            chan.set("ttl", _ttl(text_of(child)))
        elif kind == SY_PERIOD:
            chan.sy_period = text_of(child).strip().lower()
        elif kind == SY_FREQUENCY:
            chan.sy_frequency = text_of(child).strip()
        elif kind == ATOM_LINK:
            rel, href = _atom_link(child, base)
            chan.set({"alternate": "link", "self": "self", "hub": "hub"}.get(rel, "_"), href)


def _sy_minutes(chan: _Channel) -> int | None:
    if chan.sy_period is None:
        return None
    minutes = _PERIOD_MINUTES.get(chan.sy_period)
    frequency = chan.sy_frequency or "1"
    if minutes is None or not frequency.isdigit() or int(frequency) == 0:
        return None
    return max(1, minutes // int(frequency))


def parse_rss(root: etree._Element, ctx: Context, max_entries: int) -> FeedData:
    """Read an ``<rss>`` or ``<rdf:RDF>`` root."""
    chan = _Channel()
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    ctx.rdf = ns == RDF
    item_kinds, channel_kinds = _ITEM_KINDS, _CHANNEL_KINDS
    if ns and ns not in (RDF, RSS10, RSS090):
        item_kinds, channel_kinds = _kind_tables(ns)
    ns_channel = f"{{{ns}}}channel"
    channel = next((c for c in root if c.tag in _CHANNEL_TAGS or c.tag == ns_channel), None)
    if channel is not None:
        _walk_channel(channel, ctx, chan, max_entries, channel_kinds)
    if not chan.items or ctx.rdf:  # RDF: items and image beside the channel
        _walk_channel(root, ctx, chan, max_entries, channel_kinds)
    if not chan.items:  # items swallowed by an unclosed element (libxml2's recovery)
        names = ("item", f"{{{RSS10}}}item", f"{{{RSS090}}}item", f"{{{ns}}}item")
        chan.items = list(islice(root.iter(*names), max_entries))
    f = chan.fields
    read = ((_item(item, ctx, item_kinds), item) for item in chan.items[:max_entries])
    entries = unique_entries(entry for entry, item in read if ctx.complete(entry, item))
    lang = root.get(XML_LANG) or (channel.get(XML_LANG) if channel is not None else None)
    return FeedData(
        version=_version(root),
        title=_str(f.get("title") or f.get("alt_title")),
        link=_str(f.get("link")),
        description=_str(f.get("description") or f.get("alt_description")),
        language=_str(f.get("language")) or (language_tag(lang) if lang else None),
        image=_str(f.get("image") or f.get("itunes_image")),
        updated=_date(f.get("updated") or f.get("published")),
        ttl_minutes=_int(f.get("ttl")) or _sy_minutes(chan),
        hub=_str(f.get("hub")),
        self_url=_str(f.get("self")),
        entries=entries,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _date(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
