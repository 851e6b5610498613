"""RSS 2.0 and Atom 1.0 with lxml: every text escaped by the serializer, no CDATA
(a text holding "]]>" needs no care), UTF-8."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from tidings.publish.channel import Channel
from tidings.publish.items import Item, as_utc, clean_channel

__all__ = ["render_atom", "render_rss"]

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
GENERATOR = "Tidings"

_A = f"{{{ATOM}}}"
_ATOM_NSMAP: dict[str | None, str] = {None: ATOM, "media": MEDIA}


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A child element; its text and attributes are clean already (``items``, ``clean_channel``)."""
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


# --- Atom ---------------------------------------------------------------------


def _atom_links(parent: etree._Element, channel: Channel) -> None:
    _sub(parent, _A + "link", rel="self", type="application/atom+xml", href=channel.self_url)
    _sub(parent, _A + "link", rel="alternate", type="text/html", href=channel.home_url)
    if channel.hub_url:
        _sub(parent, _A + "link", rel="hub", href=channel.hub_url)
    if channel.next_url:
        _sub(parent, _A + "link", rel="next", type="application/atom+xml", href=channel.next_url)


_ENTRY, _ID, _TITLE, _LINK = (_A + n for n in ("entry", "id", "title", "link"))
_PUBLISHED, _UPDATED = _A + "published", _A + "updated"
_AUTHOR, _NAME, _CATEGORY = _A + "author", _A + "name", _A + "category"
_SUMMARY, _CONTENT, _SOURCE = _A + "summary", _A + "content", _A + "source"
_THUMBNAIL = f"{{{MEDIA}}}thumbnail"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TEXT, _HTML_TYPE = {"type": "text"}, {"type": "html"}


def _atom_entry(feed: etree._Element, item: Item) -> None:
    sub = etree.SubElement  # one element each line; every text and attribute is clean already
    entry = sub(feed, _ENTRY, {_LANG: item.language} if item.language else {})
    sub(entry, _ID).text = item.id
    sub(entry, _TITLE, _TEXT).text = item.title
    if item.link:
        sub(entry, _LINK, {"rel": "alternate", "type": "text/html", "href": item.link})
    sub(entry, _PUBLISHED).text = _iso(item.published)
    sub(entry, _UPDATED).text = _iso(item.updated)
    if item.author:
        sub(sub(entry, _AUTHOR), _NAME).text = item.author
    for term in item.categories:
        sub(entry, _CATEGORY, {"term": term})
    if item.lead:
        sub(entry, _SUMMARY, _TEXT).text = item.lead
    sub(entry, _CONTENT, _HTML_TYPE).text = item.html
    if item.comments:  # RFC 4685
        sub(entry, _LINK, {"rel": "replies", "type": "text/html", "href": item.comments})
    for att in item.attachments:
        link = sub(entry, _LINK, {"rel": "enclosure", "href": att.url})
        if att.type:
            link.set("type", att.type)
        if att.length:
            link.set("length", str(att.length))
    if item.image:
        sub(entry, _THUMBNAIL, {"url": item.image})
    source = sub(entry, _SOURCE)
    sub(source, _ID).text = item.source.feed_url
    sub(source, _TITLE, _TEXT).text = item.source.title
    if item.source.site_url:
        sub(source, _LINK, {"rel": "alternate", "type": "text/html", "href": item.source.site_url})
    sub(source, _LINK, {"rel": "self", "href": item.source.feed_url})
    if item.source.updated:
        sub(source, _UPDATED).text = _iso(item.source.updated)


def render_atom(channel: Channel, items: Sequence[Item]) -> bytes:
    channel = clean_channel(channel)
    feed = etree.Element(_A + "feed", nsmap=_ATOM_NSMAP)  # type: ignore[arg-type]  # stubs: None is the default namespace
    _sub(feed, _A + "id", channel.id)
    _sub(feed, _A + "title", channel.title, type="text")
    if channel.description:
        _sub(feed, _A + "subtitle", channel.description, type="text")
    _sub(feed, _A + "updated", _iso(as_utc(channel.updated)))
    _atom_links(feed, channel)
    # RFC 4287 4.1.2: an entry without an author of its own takes the feed's.
    _sub(_sub(feed, _A + "author"), _A + "name", channel.title)
    _sub(feed, _A + "generator", GENERATOR)
    for item in items:
        _atom_entry(feed, item)
    return _serialize(feed)


# --- RSS 2.0 ------------------------------------------------------------------


def _rss_item(channel_el: etree._Element, item: Item, full_text: bool) -> None:
    el = _sub(channel_el, "item")
    _sub(el, "title", item.title)
    if item.link:
        _sub(el, "link", item.link)
    _sub(el, "guid", item.id, isPermaLink="false")
    if item.comments:
        _sub(el, "comments", item.comments)
    _sub(el, "pubDate", format_datetime(item.published, usegmt=True))
    if item.updated != item.published:
        _sub(el, f"{{{ATOM}}}updated", _iso(item.updated))
    if item.author:
        _sub(el, f"{{{DC}}}creator", item.author)
    for term in item.categories:
        _sub(el, "category", term)
    _sub(el, "description", item.excerpt_html)
    if full_text:
        _sub(el, f"{{{CONTENT}}}encoded", item.html)
    for att in item.attachments:
        # RSS 2.0 asks for both; 0 is the usual "unknown" length
        _sub(
            el,
            "enclosure",
            url=att.url,
            length=str(att.length or 0),
            type=att.type or "application/octet-stream",
        )
    if item.image:
        _sub(el, f"{{{MEDIA}}}thumbnail", url=item.image)
    _sub(el, "source", item.source.title, url=item.source.feed_url)


def render_rss(channel: Channel, items: Sequence[Item]) -> bytes:
    channel = clean_channel(channel)
    nsmap = {"atom": ATOM, "content": CONTENT, "dc": DC, "media": MEDIA}
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=nsmap)
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.home_url)
    _sub(ch, "description", channel.description or channel.title)
    _sub(ch, "lastBuildDate", format_datetime(as_utc(channel.updated), usegmt=True))
    _sub(ch, "generator", GENERATOR)
    _sub(ch, f"{{{ATOM}}}link", rel="self", type="application/rss+xml", href=channel.self_url)
    if channel.hub_url:
        _sub(ch, f"{{{ATOM}}}link", rel="hub", href=channel.hub_url)
    if channel.next_url:
        _sub(ch, f"{{{ATOM}}}link", rel="next", type="application/rss+xml", href=channel.next_url)
    for item in items:
        _rss_item(ch, item, channel.full_text)
    return _serialize(rss)
