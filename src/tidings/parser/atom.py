"""Atom 1.0 and Atom 0.3 documents to FeedData."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from html import escape
from typing import TypeVar

from lxml import etree

from tidings.content.sanitize import clean_text, safe_url, sanitize_html
from tidings.model import Enclosure, EntryData, FeedData
from tidings.parser.dates import parse_date
from tidings.parser.fields import (
    MAX_AUTHOR_CHARS,
    MAX_CATEGORIES,
    MAX_CATEGORY_CHARS,
    MAX_CONTENT_CHARS,
    cap_text,
    plain_title,
)
from tidings.parser.identity import pick_id, unique_entries
from tidings.parser.media import media_files, merged, parse_duration
from tidings.parser.xmltext import (
    ATOM03,
    ATOM10,
    DC,
    ITUNES,
    ITUNES_ALT,
    MEDIA_NS,
    XML_LANG,
    Context,
    atom_html,
    atom_title,
    enclosure,
    language_tag,
    media_description,
    media_group_description,
    media_image,
    person_name,
    text_of,
)

__all__ = ["parse_atom"]

T = TypeVar("T")

(ID, TITLE, LINK, AUTHOR, PUBLISHED, UPDATED, SUMMARY, CONTENT, CATEGORY, MEDIA_,
 ENTRY, SUBTITLE, ICON, LOGO, ITUNES_IMAGE, MEDIA_DESCRIPTION,
 ITUNES_DURATION) = range(17)  # fmt: skip


def _kinds(ns: str) -> dict[str, int]:
    atom = {
        "id": ID,
        "title": TITLE,
        "link": LINK,
        "author": AUTHOR,
        "contributor": AUTHOR,
        "published": PUBLISHED,
        "issued": PUBLISHED,
        "created": PUBLISHED,
        "updated": UPDATED,
        "modified": UPDATED,
        "summary": SUMMARY,
        "content": CONTENT,
        "category": CATEGORY,
        "entry": ENTRY,
        "item": ENTRY,  # RSS habits in Atom documents (feedparser reads them too)
        "subtitle": SUBTITLE,
        "tagline": SUBTITLE,
        "icon": ICON,
        "logo": LOGO,
    }
    kinds = {f"{{{ns}}}{local}": kind for local, kind in atom.items()}
    for media in MEDIA_NS:
        kinds.update({f"{{{media}}}{n}": MEDIA_ for n in ("thumbnail", "content", "group")})
        kinds[f"{{{media}}}description"] = MEDIA_DESCRIPTION
    kinds[f"{{{ITUNES}}}image"] = kinds[f"{{{ITUNES_ALT}}}image"] = ITUNES_IMAGE
    kinds[f"{{{ITUNES}}}duration"] = kinds[f"{{{ITUNES_ALT}}}duration"] = ITUNES_DURATION
    kinds[f"{{{DC}}}creator"] = AUTHOR
    kinds[f"{{{DC}}}subject"] = CATEGORY
    return kinds


_KINDS = {ATOM10: _kinds(ATOM10), ATOM03: _kinds(ATOM03), "": _kinds("")}
for _table in _KINDS.values():  # un-namespaced Atom: tags have no braces
    for _tag in [t for t in _table if t.startswith("{}")]:
        _table[_tag[2:]] = _table.pop(_tag)


@lru_cache(maxsize=16)
def _other_kinds(ns: str) -> dict[str, int]:
    """Tables for a ``<feed>`` in an unknown namespace (pre-standard Atom drafts)."""
    return _kinds(ns)


def _person(el: etree._Element, ns: str) -> str | None:
    """An Atom person construct (or dc:creator) as "Name", else the email."""
    if len(el) == 0:
        return person_name(text_of(el))
    name = el.find(f"{{{ns}}}name" if ns else "name")
    if name is not None and text_of(name).strip():
        return plain_title(text_of(name), MAX_AUTHOR_CHARS)
    email = el.find(f"{{{ns}}}email" if ns else "email")
    if email is not None and text_of(email):
        return plain_title(text_of(email), MAX_AUTHOR_CHARS)
    return None


_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _Links:
    """What an entry's or a feed's ``<link>`` elements say."""

    __slots__ = (
        "alternate",
        "alternate_is_html",
        "enclosures",
        "hub",
        "related",
        "replies",
        "self",
    )

    def __init__(self) -> None:
        self.alternate: str | None = None
        self.alternate_is_html = False
        self.related: str | None = None
        self.self: str | None = None
        self.hub: str | None = None
        self.replies: str | None = None
        self.enclosures: list[Enclosure] = []

    def add(self, el: etree._Element, ctx: Context) -> None:
        rel = (el.get("rel") or "alternate").strip().lower()
        base = ctx.base_of(el)
        if rel == "enclosure":
            found = enclosure(el.get("href"), el.get("type"), el.get("length"), base)
            if found and found not in self.enclosures:
                self.enclosures.append(found)
            return
        href = safe_url((el.get("href") or text_of(el)).strip(), base)  # 0.3: text
        if href is None:
            return
        if rel == "alternate":
            is_html = (el.get("type") or "text/html").strip().lower() in _HTML_TYPES
            if self.alternate is None or (is_html and not self.alternate_is_html):
                self.alternate, self.alternate_is_html = href, is_html
        elif rel == "self":
            self.self = self.self or href
        elif rel == "hub":
            self.hub = self.hub or href
        elif rel == "replies":
            self.replies = self.replies or href
        elif rel == "related":
            self.related = self.related or href


def _entry(entry: etree._Element, ctx: Context, ns: str, feed_author: str | None) -> EntryData:
    kinds = _KINDS.get(ns) or _other_kinds(ns)
    entry_id = title = summary = content = image = media_summary = None
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = []
    categories: list[str] = []
    links = _Links()
    media: list[Enclosure] = []
    duration: int | None = None
    for child in entry:
        kind = kinds.get(child.tag)
        if kind is None:
            continue
        if kind == ID:
            entry_id = entry_id or clean_text(text_of(child).strip()) or None
        elif kind == TITLE:
            title = title or atom_title(child)
        elif kind == LINK:
            links.add(child, ctx)
        elif kind == UPDATED:  # the last date wins, as in feedparser
            updated = parse_date(text_of(child)) or updated
        elif kind == PUBLISHED:
            published = parse_date(text_of(child)) or published
        elif kind == CONTENT:
            content = content or _content(child, ctx)
        elif kind == SUMMARY:
            summary = summary or atom_html(child, ctx)
        elif kind == AUTHOR:
            person = _person(child, ns)
            if person and person not in authors:
                authors.append(person)
        elif kind == CATEGORY:
            raw = child.get("term") or child.get("label") or text_of(child)
            term = plain_title(raw, MAX_CATEGORY_CHARS)
            if term and term not in categories and len(categories) < MAX_CATEGORIES:
                categories.append(term)
        elif kind == MEDIA_:
            image = image or media_image(child, ctx.base_of(child))
            media_summary = media_summary or media_group_description(child, ctx)
            media += media_files(child, ctx.base_of(child))
        elif kind == ITUNES_DURATION:
            duration = duration or parse_duration(text_of(child))
        elif kind == MEDIA_DESCRIPTION:
            media_summary = media_summary or media_description(child, ctx)
        elif kind == ITUNES_IMAGE:
            image = image or safe_url(child.get("href"), ctx.base_of(child))
    link = links.alternate or links.related
    if summary is None and content is None:
        summary = media_summary  # YouTube: the text is in media:group/media:description
    lang = entry.get(XML_LANG)
    return EntryData(
        id=pick_id(entry_id, link, title, summary, content),
        title=title,
        link=link,
        author=_names(authors) or feed_author,
        published=published,
        updated=updated,
        summary=summary,
        content=content,
        categories=tuple(categories),
        enclosures=merged(links.enclosures, media, duration),
        image=image,
        comments=links.replies,
        language=language_tag(lang) if lang else None,
    )


def _content(el: etree._Element, ctx: Context) -> str | None:
    """Atom content; out-of-line content (``src``) becomes a link to it."""
    src = el.get("src")
    if src is not None and not (el.text or len(el)):
        href = safe_url(src.strip(), ctx.base_of(el))
        if href is None:
            return None
        return sanitize_html(f'<p><a href="{escape(href)}">{escape(href)}</a></p>')
    return atom_html(el, ctx, MAX_CONTENT_CHARS)


def _names(authors: list[str]) -> str | None:
    return cap_text(", ".join(authors), MAX_AUTHOR_CHARS) if authors else None


def parse_atom(root: etree._Element, ctx: Context, max_entries: int) -> FeedData:
    """Read an Atom ``<feed>`` root (1.0, 0.3, or without namespace)."""
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    kinds = _KINDS.get(ns) or _other_kinds(ns)
    fields: dict[str, object] = {}
    links = _Links()
    entries: list[etree._Element] = []
    authors: list[str] = []
    for child in root:
        kind = kinds.get(child.tag)
        if kind is None:
            continue
        if kind == ENTRY:
            if len(entries) < max_entries:
                entries.append(child)
        elif kind == LINK:
            links.add(child, ctx)
        elif kind == AUTHOR:
            person = _person(child, ns)
            if person:
                authors.append(person)
        else:
            _feed_field(fields, kind, child, ctx)
    feed_author = _names(authors)
    read = ((_entry(el, ctx, ns, feed_author), el) for el in entries)
    lang = root.get(XML_LANG)
    return FeedData(
        version="atom03" if ns == ATOM03 else "atom10",
        title=_get(fields, "title", str),
        link=links.alternate or links.related,
        description=_get(fields, "description", str),
        language=language_tag(lang) if lang else None,
        image=_get(fields, "logo", str) or _get(fields, "itunes_image", str),
        icon=_get(fields, "icon", str),
        updated=_get(fields, "updated", datetime) or _get(fields, "published", datetime),
        hub=links.hub,
        self_url=links.self,
        entries=unique_entries(entry for entry, el in read if ctx.complete(entry, el)),
    )


def _feed_field(fields: dict[str, object], kind: int, el: etree._Element, ctx: Context) -> None:
    value: object
    if kind == TITLE:
        name, value = "title", atom_title(el)
    elif kind == SUBTITLE:
        name, value = "description", atom_html(el, ctx)
    elif kind in (UPDATED, PUBLISHED):
        name, value = ("updated" if kind == UPDATED else "published"), parse_date(text_of(el))
    elif kind in (ICON, LOGO):
        name, value = (
            ("icon" if kind == ICON else "logo"),
            safe_url(text_of(el).strip(), ctx.base_of(el)),
        )
    elif kind == ITUNES_IMAGE:
        name, value = "itunes_image", safe_url(el.get("href"), ctx.base_of(el))
    else:
        return
    if value is not None and name not in fields:
        fields[name] = value


def _get(fields: dict[str, object], name: str, kind: type[T]) -> T | None:
    value = fields.get(name)
    return value if isinstance(value, kind) else None
