"""The media proxy's pure half (#15): which images it passes, and the story HTML whose
image addresses it rewrites. No I/O; signing and fetching are
``tidings.aggregator.media``'s.

Only these types pass, checked twice: the type the server declares must be one of
them, and the bytes must sniff as one of them (the answer is sent as the type they
sniffed as). SVG never passes (a document that can hold script), nor HTML or
anything unknown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from tidings.content.icons import sniff_image

__all__ = ["PROXY_TYPES", "rewrite_media_urls", "sniff_proxy_image"]

PROXY_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"})
_AVIF_BRANDS = (b"avif", b"avis")


def sniff_proxy_image(data: bytes) -> str | None:
    """The type of a JPEG, PNG, GIF, WebP or AVIF image by its first bytes; None for
    anything else (an ICO included: no story needs one)."""
    found = sniff_image(data)
    if found in PROXY_TYPES:
        return found
    if len(data) >= 16 and data[4:8] == b"ftyp":  # ISO BMFF: size, "ftyp", brands
        size = int.from_bytes(data[:4], "big")
        brands = data[8:12] + data[16 : max(16, min(size, 64, len(data)))]
        if any(brands[i : i + 4] in _AVIF_BRANDS for i in range(0, len(brands) - 3, 4)):
            return "image/avif"
    return None


# The sanitizer's output (nh3/html5ever): text holds no raw '<', every attribute value
# is double-quoted with '"' escaped, so a tag ends at the first '>' outside quotes and
# a quoted value (which may hold "<img ...>") is consumed with its tag.
_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"]|"[^"]*")*)>')
_ATTR = re.compile(r'\s+([^\s="/>]+)(?:="([^"]*)")?')
_REWRITTEN = {"img": {"src", "srcset"}, "video": {"poster"}, "source": {"srcset"}}


def rewrite_media_urls(text: str, rewrite: Callable[[str], str]) -> str:
    """Sanitized HTML with each image address (``<img src/srcset>``, ``<video poster>``,
    ``<picture><source srcset>``) replaced by ``rewrite(url)``; audio and video sources
    are left alone (they are not images). A tag that does not read as the sanitizer
    writes them is dropped rather than passed with an address left unrewritten."""
    if "<" not in text:
        return text

    def tag(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        names = _REWRITTEN.get(name)
        if names is None:
            return match.group()
        attributes = _attributes(match.group(2))
        if attributes is None:
            return ""
        out = []
        for key, value in attributes:
            if value is None:
                out.append(f" {key}")
                continue
            if key.lower() in names:
                url = html.unescape(value)
                value = html.escape(
                    _srcset(url, rewrite) if key.lower() == "srcset" else rewrite(url.strip()),
                    quote=True,
                )
            out.append(f' {key}="{value}"')
        return f"<{match.group(1)}{''.join(out)}>"

    return _TAG.sub(tag, text)


def _attributes(body: str) -> list[tuple[str, str | None]] | None:
    """A tag's attributes in order (values still escaped); None if it is not the
    sanitizer's writing."""
    found: list[tuple[str, str | None]] = []
    pos = 0
    while pos < len(body):
        match = _ATTR.match(body, pos)
        if match is None:
            return found if body[pos:].strip() in ("", "/") else None
        found.append((match.group(1), match.group(2)))
        pos = match.end()
    return found


def _srcset(value: str, rewrite: Callable[[str], str]) -> str:
    """Each candidate's URL rewritten, its descriptor ("2x", "640w") kept."""
    out = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            out.append(" ".join([rewrite(parts[0]), *parts[1:]]))
    return ", ".join(out)
