"""Feed icons (#12), the pure half: what an image is by its magic bytes, and where a
feed's icon may be found. No I/O; the fetch is ``tidings.aggregator.icons``'s."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["ICON_TYPES", "MAX_ICON_BYTES", "icon_sources", "sniff_image"]

MAX_ICON_BYTES = 256 * 1024

# magic bytes -> the type served; anything else (SVG, HTML, ...) is refused
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x00\x00\x01\x00", "image/x-icon"),  # ICO: reserved 0, type 1 (icon)
)
#: every type ``sniff_image`` gives: the only ones an icon is stored or sent as
ICON_TYPES = frozenset({t for _, t in _MAGIC} | {"image/webp"})


def sniff_image(data: bytes) -> str | None:
    """The content type of a PNG, JPEG, GIF, WebP or ICO image by its first bytes;
    None for anything else, whatever a server says it is."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic) and len(data) > len(magic):
            if content_type == "image/x-icon" and (len(data) < 6 or data[4:6] == b"\0\0"):
                return None  # an ICO names at least one image
            return content_type
    if len(data) > 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def icon_sources(icon_url: str | None, link: str | None, feed_url: str) -> list[str]:
    """Where to look, in order: the feed's own icon or image, then ``/favicon.ico`` at
    the origin of the site (the feed's link, else the feed's own URL)."""
    sources: list[str] = []
    if icon_url and _origin(icon_url):
        sources.append(icon_url)
    origin = _origin(link) or _origin(feed_url)
    if origin and origin + "/favicon.ico" not in sources:
        sources.append(origin + "/favicon.ico")
    return sources
