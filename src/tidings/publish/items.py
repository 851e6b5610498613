"""One published item, the same for every format: what an ``Entry`` says, cleaned.

Every string leaves here as XML 1.0 characters (no C0 controls but tab, newline
and CR, no lone surrogates, no U+FFFE/U+FFFF), so the writers can hand it to lxml
or ``json`` without a check of their own. Markup in a title or a name is text;
the writers escape it.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tidings.core.urls import strip_tracking
from tidings.model import Duplicate, Entry
from tidings.publish.channel import Channel, Origin

__all__ = [
    "Attachment",
    "Credit",
    "Item",
    "as_utc",
    "build_item",
    "clean_channel",
    "item_id",
    "source_line",
    "xml_chars",
]

# Outside XML 1.0's Char production: C0 controls but \t \n \r, surrogates, U+FFFE, U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;.*)?$")
_TAG = re.compile(r"<[^>]*>")
_WORDS = re.compile(r"\w+")
_C0 = bytes(b for b in range(0x20) if b not in b"\t\n\r")
UNTITLED = "(untitled)"


def xml_chars(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry removed."""
    # Clean text (nearly all of it) is let through by checks several times faster
    # than the regex: a printable string has no control, surrogate or noncharacter at
    # all; else, on the UTF-8 bytes, a surrogate does not encode, a C0 control is its
    # own byte, and U+FFFE/U+FFFF are the only characters encoded as EF BF BE/BF.
    if text.isprintable():
        return text
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return _NOT_XML.sub("", text)
    if len(raw.translate(None, _C0)) == len(raw) and (
        text.isascii() or (b"\xef\xbf\xbe" not in raw and b"\xef\xbf\xbf" not in raw)
    ):
        return text
    return _NOT_XML.sub("", text)


def _opt(text: str | None) -> str | None:
    if text is None:
        return None
    return xml_chars(text).strip() or None


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    type: str | None
    length: int | None


@dataclass(frozen=True, slots=True)
class Credit:
    """The source feed an item came from (the ``Origin``, cleaned; else what the entry
    says of its feed): what the formats' own source elements carry."""

    feed_url: str
    title: str
    site_url: str | None
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # a URI: the source's guid when it is one, else urn:uuid:… (see README)
    title: str
    link: str | None  # the source's link, tracking parameters stripped
    lead: str | None  # plain text
    credit: str  # "Source — Section", as the reader shows it
    text: str | None  # the clean text (HTML), when the publication carries full text
    html: str  # the item's text as HTML: lead, the text (full text), also reported by, credit
    excerpt_html: str  # the same without the text (RSS description)
    author: str | None
    published: datetime
    updated: datetime
    categories: tuple[str, ...]
    image: str | None
    comments: str | None  # the source's comments page
    attachments: tuple[Attachment, ...]
    language: str | None
    source: Credit


def clean_channel(channel: Channel) -> Channel:
    """``channel`` with its texts in XML characters (its time in UTC)."""
    return replace(
        channel,
        title=xml_chars(channel.title),
        self_url=xml_chars(channel.self_url),
        home_url=xml_chars(channel.home_url),
        id=xml_chars(channel.id),
        updated=as_utc(channel.updated),
        description=_opt(channel.description),
        hub_url=_opt(channel.hub_url),
        next_url=_opt(channel.next_url),
    )


def item_id(feed_url: str, guid: str) -> str:
    """The item's stable id: the source's guid when it is an absolute URI (a copied
    entry keeps its id, RFC 4287 4.2.6), else a name-based UUID of the feed and guid."""
    guid = xml_chars(guid).strip()
    if _URI.match(guid):
        return guid
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{feed_url}\n{guid}"))


def source_line(entry: Entry, origin_title: str) -> str:
    """``Source — Section`` as the reader shows it (``content.source.source_line``,
    which publish may not import; a test holds the two to the same answer)."""
    source = entry.source or entry.feed_title or origin_title or entry.feed_url
    section = entry.section
    if section is None and entry.source is None:
        section = entry.categories[0] if entry.categories else entry.category
    return f"{source} — {section}" if section else source


def _media_type(text: str | None) -> str | None:
    text = _opt(text)
    return text if text and _MEDIA_TYPE.match(text) else None


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _opens_with(fragment: str, lead: str) -> bool:
    """Does the HTML ``fragment``'s text begin with ``lead`` (or its first half, for a
    lead cut short), ignoring case, punctuation and spacing? The reader's rule
    (``content.text.opens_with``): it shows a lead only when the text does not."""
    probe = _words(lead)
    probe = probe[: max(20, len(probe) // 2)]
    if not probe:
        return False
    # Tags are dropped, not made spaces: "to<i>day</i>" is one word, and the end of a
    # paragraph cannot spoil a prefix ("storms</p><p>Next" still starts with "storms").
    text = _TAG.sub("", fragment[: 4 * len(probe) + 400])
    if "&" in text:
        text = html.unescape(text)
    return _words(text[: 2 * len(probe) + 100]).startswith(probe)


def _link(url: str | None) -> str | None:
    url = _opt(url)
    return strip_tracking(url) if url else None


def _anchor(url: str | None, text: str) -> str:
    if not url:
        return html.escape(text, quote=False)
    return f'<a href="{html.escape(url)}">{html.escape(text, quote=False)}</a>'


def _also_reported(duplicates: tuple[Duplicate, ...]) -> str | None:
    names = [_anchor(_link(d.link), _opt(d.feed_title) or "another feed") for d in duplicates]
    return f"<p>Also reported by: {', '.join(names)}</p>" if names else None


def _bodies(
    entry: Entry, text: str | None, link: str | None, lead: str | None, credit: str
) -> tuple[str, str]:
    """The item's HTML (with ``text`` when there is one) and its excerpt (without)."""
    tail = [f"<p>Source: {_anchor(link, credit)}</p>"]
    if also := _also_reported(entry.duplicates):
        tail.insert(0, also)
    opening = [f"<p>{html.escape(lead, quote=False)}</p>"] if lead else []
    excerpt = "\n".join(opening + tail)
    if not text:
        return excerpt, excerpt
    if opening and _opens_with(text, lead or ""):
        opening = []
    return "\n".join([*opening, text, *tail]), excerpt


def _categories(entry: Entry) -> tuple[str, ...]:
    seen: dict[str, str] = {}  # casefolded -> as first written
    for name in (*entry.categories, *entry.tags):
        if clean := _opt(name):
            seen.setdefault(clean.casefold(), " ".join(clean.split()))
    return tuple(seen.values())


def build_item(entry: Entry, origin: Origin | None, *, full_text: bool) -> Item:
    """The item ``entry`` is published as; ``origin`` is its feed (None: what the
    entry itself says of its feed)."""
    feed_url = _opt(origin.feed_url if origin else None) or xml_chars(entry.feed_url)
    origin_title = _opt(origin.title if origin else None) or _opt(entry.feed_title) or feed_url
    link = _link(entry.link)
    lead = _opt(entry.lead)
    credit = xml_chars(source_line(entry, origin_title))
    published = as_utc(entry.date)
    text = (_opt(entry.content) or _opt(entry.summary)) if full_text else None
    body, excerpt = _bodies(entry, text, link, lead, credit)
    updated = as_utc(entry.updated) if entry.updated else published
    return Item(
        id=item_id(feed_url, entry.guid),
        title=" ".join((_opt(entry.title) or UNTITLED).split()),
        link=link,
        lead=lead,
        credit=credit,
        text=text,
        html=body,
        excerpt_html=excerpt,
        author=_opt(entry.author),
        published=published,
        updated=max(updated, published),
        categories=_categories(entry),
        image=_link(entry.main_image or entry.image),
        comments=_link(entry.comments),
        attachments=tuple(
            Attachment(url, _media_type(e.type), e.length if e.length and e.length > 0 else None)
            for e in entry.enclosures
            if (url := _opt(e.url))
        ),
        language=lang if (lang := _opt(entry.language)) and _LANGUAGE.match(lang) else None,
        source=Credit(
            feed_url=feed_url,
            title=origin_title,
            site_url=_opt(origin.site_url) if origin else None,
            updated=as_utc(origin.updated) if origin and origin.updated else None,
        ),
    )
