"""C1 control characters in feed text: windows-1252 or double-encoded UTF-8 in disguise.

U+0080..U+009F never mean anything in feed text. They come from windows-1252
bytes read as ISO-8859-1 (``don\\x92t``, or ``&#146;`` written by hand: HTML5
maps those references to windows-1252 too), or from UTF-8 read as ISO-8859-1
and encoded again (``\\xe2\\x80\\xa6`` for an ellipsis). Documents are checked
once, on their bytes (:func:`has_c1`); only the few that match are repaired.
"""

from __future__ import annotations

import dataclasses
import re

from tidings.model import EntryData, FeedData

__all__ = ["has_c1", "repair_c1", "repair_feed"]

_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REF_RE = re.compile(rb"&#(?:1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);")
_C1_JSON_RE = re.compile(rb"\\u00[89][0-9a-fA-F]")  # a JSON string escape
_C1_RUN_RE = re.compile("[\u0080-\u00ff]*[\u0080-\u009f][\u0080-\u00ff]*")


def has_c1(body: bytes) -> bool:
    """Whether a (UTF-8 or ASCII-compatible) document may hold C1 characters."""
    return (
        _C1_UTF8_RE.search(body) is not None
        or _C1_REF_RE.search(body) is not None
        or _C1_JSON_RE.search(body) is not None
    )


def _repair_run(match: re.Match[str]) -> str:
    raw = match.group(0).encode("latin-1")
    try:
        return raw.decode("utf-8")  # double-encoded UTF-8
    except UnicodeDecodeError:
        return raw.decode("cp1252", "ignore")  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: dropped


def repair_c1(text: str | None) -> str | None:
    """``text`` with its C1 runs decoded as they were meant. Bytes >= 0x80 never
    decode to ASCII, so markup cannot appear: safe on sanitized HTML."""
    if not text or text.isascii():
        return text
    return _C1_RUN_RE.sub(_repair_run, text)


def _repair_entry(entry: EntryData) -> EntryData:
    return dataclasses.replace(
        entry,
        title=repair_c1(entry.title),
        author=repair_c1(entry.author),
        summary=repair_c1(entry.summary),
        content=repair_c1(entry.content),
        categories=tuple(repair_c1(c) or c for c in entry.categories),
    )


def repair_feed(feed: FeedData) -> FeedData:
    """``feed`` with the C1 characters of its texts repaired."""
    return dataclasses.replace(
        feed,
        title=repair_c1(feed.title),
        description=repair_c1(feed.description),
        entries=tuple(_repair_entry(e) for e in feed.entries),
    )
