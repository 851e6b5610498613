"""HTML sanitizing (nh3), URL policy and text cleaning for untrusted feed data.

Every HTML fragment that leaves the parser goes through :func:`sanitize_html`;
every URL field goes through :func:`safe_url`; every text field goes through
:func:`clean_text`. See docs/HOSTILE.md sections B and C for the threats.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = [
    "MAX_HTML_CHARS",
    "MAX_NESTING_DEPTH",
    "clean_text",
    "clear_sanitize_cache",
    "html_to_text",
    "safe_url",
    "sanitize_clean_html",
    "sanitize_html",
]

#: Inputs longer than this are truncated (with a marker) before sanitizing.
MAX_HTML_CHARS = 512 * 1024
#: Deeper documents are shown as text: html5ever is quadratic in the depth of
#: block elements (195 KiB of unclosed <div> take seconds; depth 1000, ~3 ms).
MAX_NESTING_DEPTH = 1000

TRUNCATED_MARKER = "<p><em>[content truncated]</em></p>"
TOO_DEEP_MARKER = "<p><em>[content too deeply nested; shown as text]</em></p>"

IFRAME_HOSTS = frozenset(
    {
        "www.youtube.com",
        "youtube.com",
        "www.youtube-nocookie.com",
        "youtube-nocookie.com",
        "player.vimeo.com",
        "www.dailymotion.com",
        "dailymotion.com",
        "geo.dailymotion.com",
    }
)

_TAGS = (nh3.ALLOWED_TAGS - {"area", "map"}) | {
    "audio",
    "video",
    "source",
    "picture",
    "track",
    "tfoot",
    "figure",
}
_ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.update(
    {
        "*": {"lang", "title", "dir"},
        "audio": {"src", "controls", "loop", "muted", "preload"},
        "video": {"src", "controls", "loop", "muted", "preload", "poster", "width", "height"},
        "source": {"src", "type", "media"},
        "track": {"src", "kind", "srclang", "label", "default"},
        "time": {"datetime"},
        "abbr": {"title"},
    }
)
_SCHEMES = {"http", "https", "mailto"}
# Added after nh3 (not with set_tag_attribute_values: their order follows a
# per-Cleaner random hash, which made the output depend on the Cleaner).
_IMG_ATTRS = '<img referrerpolicy="no-referrer" loading="lazy"'
_IFRAME_ATTRS = {"src", "width", "height", "allowfullscreen", "title"}
_IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
_REL = "noopener noreferrer nofollow"


_YOUTUBE = frozenset({"www.youtube.com", "youtube.com"})


def _iframe_filter(element: str, attribute: str, value: str) -> str | None:
    """Keep an iframe's src only if it points at an allowlisted video host over https;
    a YouTube player is YouTube's cookie-less one (#15: the page's frame-src allows
    only that one and Vimeo's)."""
    if element == "iframe" and attribute == "src":
        try:
            parts = urlsplit(value)
        except ValueError:
            return None
        host = parts.hostname or ""
        if parts.scheme != "https" or host not in IFRAME_HOSTS:
            return None
        if host in _YOUTUBE and parts.path.startswith("/embed/"):
            return parts._replace(netloc="www.youtube-nocookie.com").geturl()
    return value


@lru_cache(maxsize=256)
def _cleaner(base_url: str | None, iframes: bool) -> nh3.Cleaner:
    relative: nh3.UrlRelative = ("rewrite_with_base", base_url) if base_url else "pass_through"
    tags = set(_TAGS)
    attributes = dict(_ATTRIBUTES)
    values: dict[str, dict[str, str]] = {}
    if iframes:
        tags.add("iframe")
        attributes["iframe"] = _IFRAME_ATTRS
        values["iframe"] = {"sandbox": _IFRAME_SANDBOX}
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        attribute_filter=_iframe_filter if iframes else None,
        link_rel=_REL,
        set_tag_attribute_values=values,
        url_schemes=_SCHEMES,
        url_relative=relative,
    )


_PIXEL_CANDIDATE_RE = re.compile(r'<img [^>]*?(?:width|height)="\s*[01]\b[^>]*>')
_DIM_RE = re.compile(r' (width|height)="\s*(\d*)')
_IFRAME_BODY_RE = re.compile(r"(<iframe\b[^>]*>).*?</iframe>", re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")
# A tag, a '>' inside a quoted attribute value included (<img alt="a>b">).
_ANY_TAG_RE = re.compile(r"""<[a-zA-Z/!?](?:[^>=]|=\s*"[^"]*"|=\s*'[^']*'|=)*>?""")
# Void elements, and elements that close their open siblings (no deep nesting).
_NOT_NESTING = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option"}
)


_NON_NESTING_PREFIXES = ("<br", "<img", "<hr", "<p>", "<p ", "<li", "<td", "<tr", "<wbr", "<!")


# nh3's output: double-quoted attributes, no nested anchors.
_ANCHOR_RE = re.compile(r'<a((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*>(.*?)</a>', re.DOTALL)


def _dead_anchor(match: re.Match[str]) -> str:
    """An anchor whose href the sanitizer refused keeps only its content; one with
    nothing to click (no text, no image) is dropped (#11)."""
    attrs, inner = match.group(1), match.group(2)
    if ' href="' not in attrs:
        return inner
    visible = _ANY_TAG_RE.sub("", inner).replace("&nbsp;", "").strip()
    if not visible and not re.search(r"<(?:img|video|audio|picture)\b", inner):
        return ""
    return match.group(0)


def _drop_dead_anchors(text: str) -> str:
    return _ANCHOR_RE.sub(_dead_anchor, text)


def _iframe_without_body(match: re.Match[str]) -> str:
    """An allowed iframe, emptied (its body is unescaped raw text); a refused one, gone."""
    start = match.group(1)
    return start + "</iframe>" if ' src="' in start else ""


def _base_ok(base_url: str | None) -> str | None:
    """``base_url`` if nh3 can rewrite against it (an absolute http(s) URL)."""
    if base_url and safe_url(base_url) == base_url:
        return base_url
    return None


def _max_depth(text: str) -> int:
    """Estimate the element nesting depth html5ever will see (void tags ignored)."""
    depth = deepest = 0
    for closing, name, selfclose in _TAG_RE.findall(text):
        if closing:
            if depth:
                depth -= 1
        elif not selfclose and name.lower() not in _NOT_NESTING:
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


def _as_text(text: str) -> str:
    """Strip every tag and return the rest as escaped text (the too-deep fallback)."""
    plain = html.unescape(_ANY_TAG_RE.sub(" ", text))
    return TOO_DEEP_MARKER + "<p>" + html.escape(clean_text(plain), quote=False) + "</p>"


def _is_pixel(tag: str) -> bool:
    dims = dict(_DIM_RE.findall(tag))
    sizes = [int(v) if v else -1 for v in dims.values()]
    if any(s == 0 for s in sizes):
        return True
    return len(sizes) == 2 and all(s == 1 for s in sizes)


def _drop_pixels(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        tag = match.group(0)
        return "" if _is_pixel(tag) else tag

    return _PIXEL_CANDIDATE_RE.sub(repl, text)


def sanitize_html(text: str, base_url: str | None = None) -> str:
    """Return allowlisted HTML; relative URLs become absolute against ``base_url``.

    Text without ``<`` or ``&`` is returned unchanged (it cannot hold markup).
    Oversized inputs are truncated with a marker; pathologically nested ones
    are shown as text, so one entry cannot stall a refresh.
    """
    return sanitize_clean_html(clean_text(text), base_url)


def _too_deep(text: str) -> bool:
    if len(text) < 3 * MAX_NESTING_DEPTH:  # every open tag takes at least 3 characters
        return False
    tags = text.count("<")
    if tags <= MAX_NESTING_DEPTH:
        return False
    # Upper bounds on the depth: tags that open, then tags that open and nest.
    opening = tags - text.count("</")
    if opening <= MAX_NESTING_DEPTH:
        return False
    opening -= sum(text.count(p) for p in _NON_NESTING_PREFIXES)
    return opening > MAX_NESTING_DEPTH and _max_depth(text) > MAX_NESTING_DEPTH


class _RecentResults:
    """A small LRU of recent sanitizer results, bounded in characters.

    Feeds are refetched unchanged all the time (servers without validators);
    remembering recent fragments spares nh3 most of that work. Thread-safe.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._items: OrderedDict[tuple[str | None, str], str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str | None, str]) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str | None, str], value: str) -> None:
        size = len(key[1]) + len(value)
        with self._lock:
            if size > self.max_chars // 8 or key in self._items:
                return
            self._items[key] = value
            self._chars += size
            while self._chars > self.max_chars:
                (_, old_text), old_value = self._items.popitem(last=False)
                self._chars -= len(old_text) + len(old_value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._chars = 0


#: Only fragments at least this long are remembered (short ones are cheap).
CACHE_MIN_CHARS = 512
_recent = _RecentResults(max_chars=4 * 1024 * 1024)  # 4-16 MiB, by string width


def clear_sanitize_cache() -> None:
    """Forget remembered results (benchmarks measure cold runs)."""
    _recent.clear()


def sanitize_clean_html(text: str, base_url: str | None = None) -> str:
    """:func:`sanitize_html` for text known to hold no NUL, XML-illegal character or
    lone surrogate (text from libxml2, or already through :func:`clean_text`)."""
    if "<" not in text and "&" not in text:
        return text
    if len(text) < CACHE_MIN_CHARS:
        return _sanitize(text, base_url)
    key = (base_url, text)
    found = _recent.get(key)
    if found is None:
        found = _sanitize(text, base_url)
        _recent.put(key, found)
    return found


def _sanitize(text: str, base_url: str | None) -> str:
    truncated = len(text) > MAX_HTML_CHARS
    if truncated:
        cut = text.rfind("<", MAX_HTML_CHARS - 4096, MAX_HTML_CHARS)
        text = text[: cut if cut > 0 else MAX_HTML_CHARS]
    if _too_deep(text):
        return _as_text(text)
    # Mixed-case "Iframe" misses this test and gets the iframe-less cleaner: dropped, safe.
    iframes = "iframe" in text or "IFRAME" in text
    cleaner = _cleaner(_base_ok(base_url), iframes)
    out = cleaner.clean(text)
    if _SCOPE_RE.search(text):
        # an element that bounds a <p>'s scope (object, applet, button…) was taken out
        # and its children kept: "<p><object><p>" came out as "<p><p></p></p>", which
        # parses differently next time; cleaning the output again settles the tree
        out = cleaner.clean(out)
    if "&#" in text:  # a character reference may have produced a control character
        out = clean_text(out)
    if "<a" in out:
        out = _drop_dead_anchors(out)
    if "<img" in out:
        out = _drop_pixels(out).replace("<img", _IMG_ATTRS)
    if iframes and "<iframe" in out:
        out = _IFRAME_BODY_RE.sub(_iframe_without_body, out)
    return out + TRUNCATED_MARKER if truncated else out


#: elements that are a boundary of an open <p>'s scope and that the cleaner unwraps
_SCOPE_RE = re.compile(r"<(?:applet|object|marquee|template|button|svg|math)\b", re.IGNORECASE)
_BAD_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Remove NUL, other XML-illegal characters and lone surrogates."""
    if _BAD_CHARS_RE.search(text) is None:
        return text
    return _BAD_CHARS_RE.sub("", text)


_WS_RE = re.compile(r"\s+")


_SCRIPT_RE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_SCRIPT_HINT_RE = re.compile(r"<(?:script|style)", re.IGNORECASE)


def html_to_text(text: str) -> str:
    """Turn an HTML fragment (a title, say) into plain text: tags out (script and
    style with their contents), entities decoded."""
    if "<" in text:
        if _SCRIPT_HINT_RE.search(text):
            text = _SCRIPT_RE.sub("", text)
        text = _ANY_TAG_RE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return clean_text(_WS_RE.sub(" ", text).strip())


_URL_JUNK_RE = re.compile("[\x00-\x20\x7f]")


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """Resolve ``url`` against ``base``; return it only if it is http(s) with a host."""
    if not url:
        return None
    if url.startswith(("https://", "http://")) and url.isprintable() and _fast_ok(url):
        start = 8 if url[4] == "s" else 7
        return url if len(url) > start and url[start] not in "/\\?#" else None
    url = _URL_JUNK_RE.sub("", url)
    if not url:
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:
        return None
    return url


def _fast_ok(url: str) -> bool:
    """No characters that need the full parse (spaces, IPv6 brackets, backslashes)."""
    return " " not in url and "[" not in url and "\\" not in url
