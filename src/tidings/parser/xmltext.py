"""Namespaces and element-to-value helpers shared by the RSS and Atom readers."""

from __future__ import annotations

import base64
import binascii
import html
import re
from copy import deepcopy

from lxml import etree

from tidings.content.sanitize import safe_url
from tidings.model import Enclosure, EntryData
from tidings.parser.cdata import resolve, resolve_markup
from tidings.parser.fields import (
    MAX_AUTHOR_CHARS,
    MAX_LANGUAGE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    clean_html,
    plain_text,
    plain_title,
    text_as_html,
)

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
MEDIA_ALT = "http://search.yahoo.com/mrss"  # without the slash: seen in the wild
MEDIA_NS = (MEDIA, MEDIA_ALT)
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ITUNES_ALT = "http://www.itunes.com/DTDs/Podcast-1.0.dtd"  # seen in the wild
XHTML = "http://www.w3.org/1999/xhtml"
SY = "http://purl.org/rss/1.0/modules/syndication/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class Context:
    """Per-document facts the element readers need.

    ``tail`` is set for a truncated document: the innermost last element, where
    the document was cut (see :meth:`complete`)."""

    __slots__ = ("has_base", "rdf", "sanitize", "tail", "url")

    def __init__(self, url: str, has_base: bool, sanitize: bool = True) -> None:
        self.url = url
        self.has_base = has_base
        self.sanitize = sanitize
        self.rdf = False
        self.tail: etree._Element | None = None

    def complete(self, entry: EntryData, el: etree._Element) -> bool:
        """Whether to keep ``entry`` (read from ``el``) of a document that was cut.

        Only the entry the cut falls in is in question. It is kept if it has a
        title or a link, and if its id is neither a content hash nor the text that
        was cut (a guid or link cut short): otherwise it would be stored under an
        id the full document never gives, and stay as a junk entry."""
        tail = self.tail
        if tail is None or not (tail is el or any(a is el for a in tail.iterancestors())):
            return True
        if not (entry.title or entry.link) or entry.id.startswith("sha256:"):
            return False
        cut = (tail.text or "").strip() if tail is not el else ""
        return not cut or cut not in (entry.id, entry.link)

    def base_of(self, el: etree._Element) -> str:
        """The base URL in force at ``el`` (xml:base aware, but only if the document uses it)."""
        if self.has_base:
            return el.base or self.url
        return self.url

    def html(self, raw: str, el: etree._Element, limit: int = MAX_SUMMARY_CHARS) -> str | None:
        """Sanitized HTML from libxml2 text (``raw`` with ``sanitize=False``), capped."""
        return clean_html(raw, self.base_of(el), limit, self.sanitize)


def text_of(el: etree._Element) -> str:
    """All character data inside ``el``."""
    if len(el) == 0:
        return resolve(el.text or "")
    return resolve("".join(el.itertext()))  # type: ignore[arg-type]


def markup_of(el: etree._Element) -> str:
    """The inner XML of ``el``: unescaped HTML some feeds put in their elements."""
    if len(el) == 0:
        return resolve(el.text or "")
    parts = [html.escape(resolve(el.text), quote=False) if el.text else ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(resolve_markup(etree.tostring(child, encoding="unicode", with_tail=True)))
        elif child.tail:
            parts.append(html.escape(resolve(child.tail), quote=False))
    return "".join(parts)


def xhtml_markup(el: etree._Element) -> str:
    """Inner XHTML of an Atom ``type="xhtml"`` construct, namespaces removed."""
    container = el
    wrapped = len(el) == 1 and el[0].tag == f"{{{XHTML}}}div" and not (el.text or "").strip()
    if wrapped and el.get("type") == "xhtml":  # Atom 1.0: the div is not content
        container = el[0]
    if len(container) == 0:  # character data only: it is text, not markup
        return html.escape(resolve(container.text or ""), quote=False)
    copy = etree.Element("div")
    copy.text = resolve(container.text) if container.text else None
    for child in container:
        copy.append(_strip_ns(child))
    etree.cleanup_namespaces(copy)
    return markup_of(copy)


def _strip_ns(el: etree._Element) -> etree._Element:
    copy = deepcopy(el)
    for node in copy.iter():
        tag = node.tag
        if isinstance(tag, str) and tag.startswith("{"):
            node.tag = tag.rsplit("}", 1)[1]
        for name in [n for n in node.attrib if isinstance(n, str) and n.startswith("{")]:
            del node.attrib[name]
    copy.tail = el.tail
    return copy


def html_field(el: etree._Element, ctx: Context, limit: int = MAX_SUMMARY_CHARS) -> str | None:
    """An RSS element holding (escaped or inline) HTML, sanitized."""
    raw = markup_of(el)
    if not raw.strip():
        return None
    if "<" not in raw and "&" not in raw:
        raw = raw.strip()
    return ctx.html(raw, el, limit)


def _content_kind(el: etree._Element) -> tuple[str, bool]:
    """("text" | "html" | "xhtml" | "other", base64?) of an Atom text construct."""
    declared = el.get("type")
    kind = (declared or "text").strip().lower()
    b64 = el.get("mode") == "base64"
    if el.get("mode") == "xml" or (kind == "text" and len(el)):  # inline markup
        kind = "xhtml"
    elif b64 and declared is None:
        kind = "html"
    if kind in ("text", "text/plain"):
        return "text", b64
    if kind in ("html", "text/html", "escaped"):
        return "html", b64
    if kind in ("xhtml", "application/xhtml+xml"):
        return "xhtml", b64
    if kind.startswith("text/") or kind.endswith(("+xml", "/xml")):
        return "text", b64
    return "other", True


def _decode64(text: str, strict: bool = False) -> str | None:
    """Base64 ``text`` as UTF-8 (``strict``: ``None`` unless it is valid UTF-8 text)."""
    try:
        data = base64.b64decode(text, validate=False)
        return data.decode("utf-8", "strict" if strict else "replace")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return None


def _typepad_div(el: etree._Element) -> etree._Element | None:
    """The one XHTML ``<div>`` of escaped HTML some ``type="html"`` content wraps its text in."""
    if len(el) != 1 or (el.text or "").strip():
        return None
    div = el[0]
    if div.tag != f"{{{XHTML}}}div" or len(div) or (div.tail or "").strip():
        return None
    return div


def atom_html(el: etree._Element, ctx: Context, limit: int = MAX_SUMMARY_CHARS) -> str | None:
    """An Atom text construct (or 0.3 content) as sanitized HTML."""
    kind, b64 = _content_kind(el)
    if kind == "other":  # Atom 1.0 section 4.1.3.3: base64; kept only if it is text
        raw = _decode64(text_of(el), strict=True) or ""
        kind = "html"
    elif b64:
        raw = _decode64(text_of(el)) or ""
    elif kind == "xhtml":
        raw = xhtml_markup(el)
    elif kind == "html" and len(el):
        div = _typepad_div(el)  # escaped HTML in a div, else inline markup despite the type
        raw = text_of(div) if div is not None else markup_of(el)
    else:
        raw = text_of(el)
    if not raw.strip():
        return None
    if kind == "text":
        return text_as_html(raw, limit)
    return ctx.html(raw, el, limit)


def atom_title(el: etree._Element) -> str | None:
    """An Atom text construct as plain text."""
    kind, b64 = _content_kind(el)
    raw = text_of(el)
    if b64:
        raw = _decode64(raw) or ""
    if kind == "text":
        return plain_text(raw, MAX_TITLE_CHARS)
    if kind == "xhtml" and not b64:
        return plain_title(xhtml_markup(el))
    return plain_title(raw)


def enclosure(url: str | None, mime: str | None, length: str | None, base: str) -> Enclosure | None:
    """An Enclosure from raw attribute values; bad lengths are ignored."""
    href = safe_url(url.strip() if url else None, base)
    if href is None:
        return None
    size: int | None = None
    if length:
        length = length.strip()
        if length.isdigit() and len(length) < 19:
            size = int(length)
    mime = plain_text(mime, MAX_TITLE_CHARS) if mime else None
    return Enclosure(url=href, type=mime, length=size)


def media_image(el: etree._Element, base: str) -> str | None:
    """The image URL of a media:thumbnail / media:content / media:group element."""
    local = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
    if local == "group":
        for child in el:
            found = media_image(child, base)
            if found:
                return found
        return None
    if local == "thumbnail":
        return safe_url(el.get("url"), base)
    if local == "content":
        mime = el.get("type") or ""
        if el.get("medium") == "image" or mime.startswith("image/"):
            return safe_url(el.get("url"), base)
        for child in el:
            if child.tag in _MEDIA_THUMBNAILS:
                return safe_url(child.get("url"), base)
    return None


_MEDIA_THUMBNAILS = frozenset(f"{{{ns}}}thumbnail" for ns in MEDIA_NS)
_MEDIA_DESCRIPTIONS = frozenset(f"{{{ns}}}description" for ns in MEDIA_NS)


def media_group_description(el: etree._Element, ctx: Context) -> str | None:
    """The ``media:description`` of a ``media:group`` (YouTube's only entry text)."""
    if not (isinstance(el.tag, str) and el.tag.endswith("}group")):
        return None
    for child in el:
        if child.tag in _MEDIA_DESCRIPTIONS:
            return media_description(child, ctx)
    return None


_TAG_START_RE = re.compile(r"<[a-zA-Z/!]")


def media_description(el: etree._Element, ctx: Context) -> str | None:
    """A ``media:description``: plain text (Media RSS's default, and YouTube's), its
    paragraphs and URLs kept (#15), unless it says ``type="html"`` or holds tags.
    Character references in such text are read (feeds escape quotes in it)."""
    raw = text_of(el)
    if (el.get("type") or "").strip().lower() == "html" or _TAG_START_RE.search(raw):
        return html_field(el, ctx)
    return text_as_html(html.unescape(raw) if "&" in raw else raw, MAX_SUMMARY_CHARS)


def person_name(text: str) -> str | None:
    """An author as a name: "a@b.c (Name)" and "Name <a@b.c>" give "Name"."""
    name = plain_title(text, MAX_AUTHOR_CHARS)
    if name and "@" in name:
        match = _EMAIL_NAME_RE.match(name) or _NAME_EMAIL_RE.match(name)
        if match:
            return match.group(1).strip() or name
    return name


_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((.+)\)$")
_NAME_EMAIL_RE = re.compile(r"^([^<>@]+?)\s*(?:<\S+@\S+>|\(\S+@\S+\))$")


def language_of(el: etree._Element) -> str | None:
    lang = el.get(XML_LANG)
    return language_tag(lang) if lang else None


def language_tag(text: str) -> str | None:
    """A language as a BCP 47 tag: trimmed, ``en_US`` written ``en-US``."""
    tag = plain_text(text, MAX_LANGUAGE_CHARS)
    return tag.replace("_", "-") if tag and "_" in tag else tag
