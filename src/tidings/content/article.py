"""Full-text extraction: a fetched article page to clean, sanitized HTML.

trafilatura finds the article body (in its ``fast`` mode: measured better *and*
faster than its default on the article benchmark, see docs/benchmarks.md),
without images (including them pulls captions and galleries into the text;
the page's main image is kept as story metadata instead). Then the clutter
rules cut what it left, and the sanitizer runs last: extracted HTML is
untrusted like any other.

Per-feed options: ``body_selector`` picks the body by CSS instead of
trafilatura; ``remove_selectors`` cut elements from the page first.

Pure and CPU-bound (10-20 ms a page): the refresh runs it in its worker
pool or a thread, never on the event loop.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree, html

from tidings.content.clutter import clean_tree, select
from tidings.content.sanitize import safe_url, sanitize_html
from tidings.content.text import html_to_text
from tidings.content.words import count_words
from tidings.model import Article, StoryOptions

__all__ = ["MAX_PAGE_CHARS", "PageMeta", "decode_page", "extract_article", "page_meta"]

log = logging.getLogger(__name__)

#: Pages are cut to this many characters before parsing (extraction time is linear).
MAX_PAGE_CHARS = 3 * 1024 * 1024

_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]{1,40})", re.I)
_NO_OPTIONS = StoryOptions()
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page's head says about its article."""

    title: str | None = None
    image: str | None = None
    language: str | None = None
    canonical: str | None = None


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text: the header's charset, else the page's ``<meta>``, else UTF-8."""
    body = body[:MAX_PAGE_CHARS]
    for candidate in (_header_charset(content_type), _meta_charset(body), "utf-8"):
        if candidate:
            try:
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", errors="replace")


def _header_charset(content_type: str | None) -> str | None:
    found = _HEADER_CHARSET_RE.search(content_type or "")
    return found.group(1) if found else None


def _meta_charset(body: bytes) -> str | None:
    found = _CHARSET_RE.search(body[:4096])
    return found.group(1).decode("ascii") if found else None


def _first(tree: html.HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        text = str(value).strip()
        if text:
            return text
    return None


def page_meta(tree: html.HtmlElement, url: str) -> PageMeta:
    """Title, main image, language and canonical URL from the page's head."""
    image = _first(
        tree,
        "//meta[@property='og:image' or @name='og:image' or @property='og:image:url'"
        " or @name='twitter:image' or @property='twitter:image']/@content",
    )
    lang = _first(tree, "/html/@lang | /html/@xml:lang") or _first(
        tree, "//meta[@http-equiv='content-language' or @property='og:locale']/@content"
    )
    if lang:
        lang = lang.replace("_", "-").split(",")[0].strip()
        lang = lang.lower() if _LANG_RE.match(lang) else None
    return PageMeta(
        title=_first(tree, "//meta[@property='og:title']/@content")
        or _first(tree, "//title/text()"),
        image=safe_url(image, url),
        language=lang,
        canonical=safe_url(_first(tree, "//link[@rel='canonical']/@href"), url),
    )


def parse_page(text: str) -> html.HtmlElement | None:
    """The page as an lxml tree (trafilatura's own loader), or None."""
    tree = trafilatura.load_html(text[:MAX_PAGE_CHARS])
    return tree if isinstance(tree, html.HtmlElement) else None


def extract_article(
    page: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    options: StoryOptions = _NO_OPTIONS,
) -> Article | None:
    """The article on ``page`` as sanitized HTML, or None when none is found."""
    text = page if isinstance(page, str) else decode_page(page, content_type)
    tree = parse_page(text)
    if tree is None:
        return None
    meta = page_meta(tree, url)
    for selector in options.remove_selectors:
        for el in select(selector, tree):
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
    if options.body_selector:
        found = select(options.body_selector, tree)
        body = "".join(html.tostring(el, encoding="unicode") for el in found)
    else:
        body = (
            trafilatura.extract(
                tree,
                url=url,
                fast=True,
                output_format="html",
                include_comments=False,
                include_tables=True,
                include_links=False,  # measured: links cost recall (docs/benchmarks.md)
            )
            or ""
        )
    cleaned = _clean_body(body, meta.title)
    if not cleaned:
        return None
    safe = sanitize_html(cleaned, base_url=url)
    words = count_words(html_to_text(safe))
    if not words:
        return None
    return Article(html=safe, words=words, image=meta.image, language=meta.language)


def _clean_body(body: str, title: str | None) -> str:
    """The body's inner HTML with clutter cut and a repeated headline dropped."""
    if not body.strip():
        return ""
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return ""
    inner = root.find("body") if root.tag == "html" else root
    if inner is None:
        inner = root
    _drop_headline(inner, title)
    clean_tree(inner)
    parts = [inner.text or ""] + [html.tostring(c, encoding="unicode") for c in inner]
    return "".join(parts).strip()


def _drop_headline(body: etree._Element, title: str | None) -> None:
    """A leading ``<h1>`` repeats the entry's title: the reader shows that already."""
    first = body[0] if len(body) else None
    if first is None or first.tag != "h1" or (body.text or "").strip():
        return
    heading = " ".join("".join(str(t) for t in first.itertext()).split()).lower()
    if heading and (title is None or heading in " ".join(title.split()).lower()):
        tail = first.tail
        body.remove(first)
        if tail and tail.strip():
            body.text = (body.text or "") + tail
