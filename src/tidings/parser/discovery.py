"""Feed auto-discovery in HTML pages, the icons a page names, and a cheap "is this a
feed?" sniff."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree, html

from tidings.content.sanitize import safe_url
from tidings.parser.fields import plain_text

__all__ = [
    "FeedLink",
    "find_feed_candidates",
    "find_feed_links",
    "find_icon_links",
    "looks_like_feed",
]

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "text/xml",
        "application/xml",
        "application/x.atom+xml",
        "application/x-atom+xml",
    }
)
_FEEDISH_HREF_RE = re.compile(
    r"""(?:\.(?:rss|rdf|atom|xml)(?:$|\?)   # /index.rss, /feed.xml?x
    |/(?:feeds?|rss|atom)(?:/|\.[a-z]+)?(?:$|\?)   # /feed, /feed/, /rss/, /atom.php
    |[?&](?:feed|format)=(?:rss|atom|json)\b)""",
    re.VERBOSE | re.IGNORECASE,
)
_MAX_LINKS = 50
MAX_LINK_TITLE = 200
# what a <link type> says the feed is, as a reader would name it
FEED_KINDS = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/x.atom+xml": "Atom",
    "application/x-atom+xml": "Atom",
    "application/rdf+xml": "RSS 1.0",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "text/xml": "XML",
    "application/xml": "XML",
}


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page names: its absolute URL, the title the page gives it (plain
    text, capped; None if none) and its kind by the link's type ("RSS", "Atom",
    "JSON Feed"...; None for a plain ``<a href>`` that looks like a feed)."""

    url: str
    title: str | None = None
    kind: str | None = None


_HTML_PARSER = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)


def _parse_html(body: bytes) -> etree._Element | None:
    try:
        return html.fromstring(body, parser=_HTML_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None


def _page(body: bytes, base_url: str) -> tuple[etree._Element, str] | None:
    """The parsed page and the base its relative links resolve against (its
    ``<base href>``, else ``base_url``); None if it is not HTML."""
    root = _parse_html(body)
    if root is None:
        return None
    for el in root.iter("base"):
        return root, safe_url(el.get("href"), base_url) or base_url
    return root, base_url


def find_feed_links(body: bytes, base_url: str) -> list[str]:
    """Feed URLs a page advertises, best first (see ``find_feed_candidates``)."""
    return [link.url for link in find_feed_candidates(body, base_url)]


def find_feed_candidates(body: bytes, base_url: str) -> list[FeedLink]:
    """The feeds a page advertises, best first, with their titles and kinds.

    First ``<link rel="alternate">`` with a feed type (in document order), then
    ``<a href>`` targets that look like feeds. All absolute http(s), no duplicates.
    """
    page = _page(body, base_url)
    if page is None:
        return []
    root, base = page
    found: list[FeedLink] = []
    for el in root.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        kind = (el.get("type") or "").split(";")[0].strip().lower()
        if not ("alternate" in rels or "feed" in rels):
            continue
        # application/json is also WordPress's REST API: only a JSON *feed* counts.
        json_feed = (
            kind == "application/json"
            and "feed" in ((el.get("title") or "") + (el.get("href") or "")).lower()
        )
        if kind in FEED_TYPES or json_feed:
            title = plain_text(el.get("title") or "", MAX_LINK_TITLE)
            _add_link(found, safe_url(el.get("href"), base), title, FEED_KINDS.get(kind))
    for el in root.iter("a"):
        if len(found) >= _MAX_LINKS:
            break
        href = (el.get("href") or "").strip()
        if href and _FEEDISH_HREF_RE.search(href.split("#")[0]):
            text = "".join(str(t) for t in el.itertext())[: MAX_LINK_TITLE * 4]
            _add_link(found, safe_url(href, base), plain_text(text, MAX_LINK_TITLE), None)
    return found


def _add_link(found: list[FeedLink], url: str | None, title: str | None, kind: str | None) -> None:
    if url and len(found) < _MAX_LINKS and all(link.url != url for link in found):
        found.append(FeedLink(url, title, kind))


_ICON_RELS = ("icon", "apple-touch-icon", "apple-touch-icon-precomposed")
_MAX_ICONS = 3


def find_icon_links(body: bytes, base_url: str) -> list[str]:
    """The icons a page names (#12), best first: ``<link rel="icon">`` (and "shortcut
    icon") in document order, then Apple touch icons; never an SVG (by its type or its
    name); at most three absolute http(s) URLs."""
    page = _page(body, base_url)
    if page is None:
        return []
    root, base = page
    ranked: list[tuple[int, str]] = []
    for el in root.iter("link"):
        rels = (el.get("rel") or "").lower().split()
        rank = next((i for i, rel in enumerate(_ICON_RELS) if rel in rels), None)
        kind = (el.get("type") or "").split(";")[0].strip().lower()
        url = safe_url(el.get("href"), base)
        if rank is None or url is None or "svg" in kind:
            continue
        if url.split("?")[0].split("#")[0].lower().endswith((".svg", ".svgz")):
            continue
        ranked.append((min(rank, 1), url))
    found: list[str] = []
    for _, url in sorted(ranked, key=lambda r: r[0]):  # stable: document order within a rank
        if len(found) < _MAX_ICONS:
            _add(found, url)
    return found


def _add(found: list[str], url: str | None) -> None:
    if url and url not in found and len(found) < _MAX_LINKS:
        found.append(url)


_ROOT_RE = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(rss|feed|RDF|html|HTML)\b")
_JSONFEED_RE = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')


def looks_like_feed(body: bytes) -> bool:
    """A cheap sniff of the first 4 KiB: an RSS/Atom/RDF root or a JSON Feed version."""
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if stripped[:1] == b"{":
        return _JSONFEED_RE.search(head) is not None or b'"items"' in body[:65536]
    match = _ROOT_RE.search(head)
    return match is not None and match.group(1).lower() != b"html"
