"""What an entry has to play or show besides its text (#15): players for its audio
and video files, its images, and a video site's embed.

Pure: the story page (``web``) and ``tidings show`` (``cli``) render it.

- a *player* for each audio or video enclosure (by its MIME type, or for a file
  without one, its URL's suffix), with its size and duration when known;
- *images*: image enclosures, and the entry's own image (``media:thumbnail``,
  ``itunes:image``) unless its text already shows it: beside an audio player, as
  the episode's *cover*; for a video, its poster;
- *files*: the other attachments (a PDF, a torrent), to link to;
- an *embed* for a YouTube or Vimeo video (found from its link or YouTube's
  ``yt:video:`` id): the privacy-preserving player URL (youtube-nocookie.com,
  player.vimeo.com) the page loads only when the reader asks, with the entry's
  thumbnail. PeerTube instances are any host, which a fixed Content-Security-Policy
  cannot name: their videos play from their files when the feed gives them;
- :func:`deferred_frames`: the same click-to-load for the YouTube and Vimeo frames
  inside a story's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from tidings.model import Enclosure

__all__ = [
    "EMBED_HOSTS",
    "Embed",
    "Media",
    "Player",
    "deferred_frames",
    "entry_media",
    "format_duration",
    "format_size",
    "media_badge",
    "video_embed",
]

#: The hosts an embed loads from: the page's ``frame-src`` names exactly these.
EMBED_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

Kind = Literal["audio", "video"]

_AUDIO_SUFFIXES = (".mp3", ".m4a", ".m4b", ".aac", ".oga", ".ogg", ".opus", ".flac", ".wav")
_VIDEO_SUFFIXES = (".mp4", ".m4v", ".webm", ".ogv", ".mov")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_MAX_PLAYERS = 4
_MAX_IMAGES = 8


@dataclass(frozen=True, slots=True)
class Player:
    """An audio or video file to play."""

    kind: Kind
    url: str
    type: str | None
    length: int | None
    duration: int | None


@dataclass(frozen=True, slots=True)
class Embed:
    """A video site's player, loaded only on the reader's click."""

    provider: Literal["youtube", "vimeo"]
    video_id: str
    src: str  # the iframe's: youtube-nocookie.com/embed/ID, player.vimeo.com/video/ID
    page: str  # the video's own page, for a reader without JavaScript
    thumbnail: str | None

    @property
    def name(self) -> str:
        return "YouTube" if self.provider == "youtube" else "Vimeo"


@dataclass(frozen=True, slots=True)
class Media:
    players: tuple[Player, ...] = ()
    images: tuple[str, ...] = ()
    embed: Embed | None = None
    files: tuple[Enclosure, ...] = ()  # the other attachments: links to them
    cover: str | None = None  # an episode's art, beside its audio player

    @property
    def playable(self) -> bool:
        return bool(self.players)


def _kind(e: Enclosure) -> Kind | Literal["image"] | None:
    mime = (e.type or "").strip().lower()
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("image/"):
        return "image"
    if mime:
        return None
    path = urlsplit(e.url).path.lower()
    if path.endswith(_AUDIO_SUFFIXES):
        return "audio"
    if path.endswith(_VIDEO_SUFFIXES):
        return "video"
    return None


def _web_url(url: str | None) -> bool:
    return bool(url) and (url or "").startswith(("https://", "http://"))


def entry_media(
    *,
    link: str | None,
    guid: str | None,
    enclosures: Sequence[Enclosure],
    image: str | None,
    body: str | None,
) -> Media:
    """What the entry has to play or show (``body``: the HTML its page shows)."""
    players: list[Player] = []
    images: list[str] = []
    files: list[Enclosure] = []
    for e in enclosures:
        if not _web_url(e.url):
            continue
        kind = _kind(e)
        if kind == "image":
            if e.url not in images and len(images) < _MAX_IMAGES:
                images.append(e.url)
        elif kind is not None and len(players) < _MAX_PLAYERS:
            players.append(Player(kind, e.url, e.type, e.length, e.duration))
        elif len(files) < _MAX_IMAGES:
            files.append(e)
    embed = video_embed(link, guid, image if _web_url(image) else None)
    shown = body or ""
    cover = None
    own = None
    if image and _web_url(image) and image not in images and image not in shown:
        own = image
    if embed is not None or any(p.kind == "video" for p in players):
        own = None  # the video's thumbnail or poster
    elif own and players:
        cover, own = own, None  # an episode's art
    if own:
        images.insert(0, own)
    images = [url for url in images if url not in shown]
    return Media(tuple(players), tuple(images), embed, tuple(files), cover)


def video_embed(link: str | None, guid: str | None, thumbnail: str | None) -> Embed | None:
    """The YouTube or Vimeo video the entry is, if it is one."""
    youtube = _youtube_id(link, guid)
    if youtube:
        return Embed(
            "youtube",
            youtube,
            f"https://www.youtube-nocookie.com/embed/{youtube}",
            f"https://www.youtube.com/watch?v={youtube}",
            thumbnail,
        )
    vimeo = _vimeo_id(link)
    if vimeo:
        return Embed(
            "vimeo",
            vimeo,
            f"https://player.vimeo.com/video/{vimeo}",
            f"https://vimeo.com/{vimeo}",
            thumbnail,
        )
    return None


def _youtube_id(link: str | None, guid: str | None) -> str | None:
    if guid and guid.startswith("yt:video:"):
        candidate = guid.removeprefix("yt:video:")
        if _YOUTUBE_ID.fullmatch(candidate):
            return candidate
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return None
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.strip("/")
    elif host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) == 2 and segments[0] in ("shorts", "embed", "live", "v"):
            candidate = segments[1]
    return candidate if _YOUTUBE_ID.fullmatch(candidate) else None


def _vimeo_id(link: str | None) -> str | None:
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _VIMEO_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    # vimeo.com/ID, vimeo.com/channels/NAME/ID, player.vimeo.com/video/ID
    last = segments[-1]
    return last if _VIMEO_ID.fullmatch(last) else None


_FRAME_RE = re.compile(
    r'<iframe\b[^>]*?\ssrc="(https://(www\.youtube-nocookie\.com/embed/|player\.vimeo\.com/video/)'
    r'[^"]*)"[^>]*>\s*</iframe>'
)


def deferred_frames(html: str) -> str:
    """Sanitized HTML with its YouTube and Vimeo frames (a story's own embeds) made
    placeholders that load the player on a click, as an entry's video does. Other
    frames are left to the page's frame-src, which refuses them."""
    if "<iframe" not in html:
        return html
    return _FRAME_RE.sub(_placeholder, html)


def _placeholder(match: re.Match[str]) -> str:
    host = "youtube-nocookie.com" if "youtube" in match.group(2) else "player.vimeo.com"
    return (
        f'<figure class="embed" data-embed-src="{match.group(1)}">'
        '<button type="button" class="embed-play embed-blank">'
        '<span class="embed-label">▶ Play video</span></button>'
        f'<figcaption class="muted">The player loads from {host} only when you click.'
        "</figcaption></figure>"
    )


def format_duration(seconds: int | None) -> str:
    """``1:02:03`` or ``42:05``; "" when unknown."""
    if not seconds or seconds < 0:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def format_size(length: int | None) -> str:
    """``52.9 MB``; "" when unknown."""
    if not length or length < 0:
        return ""
    size = float(length)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""  # unreachable


def media_badge(enclosures: Sequence[Enclosure], link: str | None, guid: str | None) -> str:
    """The card's hint at what the story plays: "▶ podcast 42 min", "▶ video", ""."""
    for e in enclosures:
        kind = _kind(e) if _web_url(e.url) else None
        if kind in ("audio", "video"):
            label = "podcast" if kind == "audio" else "video"
            return f"▶ {label} {_minutes(e.duration)}" if e.duration else f"▶ {label}"
    embed = video_embed(link, guid, None)
    return f"▶ {embed.name}" if embed else ""
