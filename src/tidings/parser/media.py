"""What a podcast or video entry says of its files (#15): durations and Media RSS files.

- :func:`parse_duration`: ``itunes:duration`` and ``media:content@duration`` as
  seconds ("1:02:03", "62:03", "3723", "3723.5"; anything else is None);
- :func:`media_files`: the audio and video files of a ``media:content`` or a
  ``media:group`` (one file a group: its members are versions of one file, the
  ``isDefault`` one or else the first);
- :func:`merged`: an entry's enclosures with those files and its duration added,
  each URL once.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from tidings.model import Enclosure
from tidings.parser.xmltext import MEDIA_NS, enclosure

__all__ = ["MAX_MEDIA_FILES", "media_files", "merged", "parse_duration", "playable"]

#: Media RSS files taken from one entry, at most (a hostile feed may list thousands).
MAX_MEDIA_FILES = 8
MAX_DURATION = 10 * 366 * 24 * 3600  # ten years: beyond is a typo or a hostile value

_CONTENT = frozenset(f"{{{ns}}}content" for ns in MEDIA_NS)
_GROUP = frozenset(f"{{{ns}}}group" for ns in MEDIA_NS)


def parse_duration(text: str | None) -> int | None:
    """Seconds from "[[H:]M:]S[.fraction]", or None when it is not one."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > 20:
        return None
    parts = text.split(":")
    if len(parts) > 3:
        return None
    head, last = parts[:-1], parts[-1]
    seconds_text, _, fraction = last.partition(".")
    if not all(p.isdigit() and p.isascii() for p in [*head, seconds_text]):
        return None
    if fraction and not (fraction.isdigit() and fraction.isascii()):
        return None
    total = 0
    for part in [*head, seconds_text]:
        total = total * 60 + int(part)
    return total if 0 < total <= MAX_DURATION else None


def playable(mime: str | None, medium: str | None = None) -> bool:
    """Whether a Media RSS file of this type (or medium) is sound or moving pictures."""
    kind = (mime or "").strip().lower()
    if kind:
        return kind.startswith(("audio/", "video/"))
    return (medium or "").strip().lower() in ("audio", "video")


def media_files(el: etree._Element, base: str) -> list[Enclosure]:
    """The audio and video files of a ``media:content`` or ``media:group`` element."""
    if el.tag in _CONTENT:
        found = _file(el, base)
        return [found] if found else []
    if el.tag not in _GROUP:
        return []
    files = [
        (child.get("isDefault") == "true", f)
        for child in el
        if child.tag in _CONTENT and (f := _file(child, base)) is not None
    ]
    if not files:
        return []
    defaults = [f for is_default, f in files if is_default]
    return [defaults[0] if defaults else files[0][1]]


def _file(el: etree._Element, base: str) -> Enclosure | None:
    if not playable(el.get("type"), el.get("medium")):
        return None
    found = enclosure(el.get("url"), el.get("type"), el.get("fileSize"), base)
    if found is None:
        return None
    return replace(found, duration=parse_duration(el.get("duration")))


def merged(
    enclosures: list[Enclosure], media: list[Enclosure], duration: int | None
) -> tuple[Enclosure, ...]:
    """``enclosures`` with the Media RSS files not among them (their facts filling
    what an enclosure of the same URL lacks), then ``duration`` (the entry's
    ``itunes:duration``) given to the first playable file without one."""
    if not media and duration is None:
        return tuple(enclosures)
    out = list(enclosures)
    at = {e.url: i for i, e in enumerate(out)}
    for extra in media[:MAX_MEDIA_FILES]:
        i = at.get(extra.url)
        if i is None:
            at[extra.url] = len(out)
            out.append(extra)
            continue
        same = out[i]
        out[i] = replace(
            same,
            type=same.type or extra.type,
            length=same.length if same.length is not None else extra.length,
            duration=same.duration if same.duration is not None else extra.duration,
        )
    if duration is not None:
        for i, e in enumerate(out):
            if playable(e.type) or (e.type is None and _sounds(e.url)):
                if e.duration is None:
                    out[i] = replace(e, duration=duration)
                break
    return tuple(out)


_PLAYABLE_SUFFIXES = (".mp3", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".mp4", ".m4v")


def _sounds(url: str) -> bool:
    """An enclosure without a type whose URL names an audio or video file."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(_PLAYABLE_SUFFIXES)
