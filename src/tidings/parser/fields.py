"""Every text field of a parsed feed, cleaned and capped in one place per kind.

Two kinds of field, whatever the format (RSS, RSS 1.0, Atom, JSON Feed, OPML):

- plain text (titles, names, categories, languages, OPML titles):
  :func:`plain_title` (HTML-ish input: tags out, entities decoded) or
  :func:`plain_text` (literal text); control characters stripped, whitespace
  collapsed, cut to a cap;
- HTML (summaries, contents, feed descriptions): :func:`clean_html` (or
  :func:`text_as_html` for a text construct), sanitized, control characters
  stripped, cut at a tag boundary with the sanitizer's "[content truncated]"
  marker.

:func:`strip_controls` is the one rule for control characters: C0 except tab,
newline and carriage return, DEL, C1 (U+0080-U+009F), lone surrogates and
U+FFFE/U+FFFF never reach a field. C1 runs are first read as the
windows-1252 or double-encoded UTF-8 they nearly always are
(:mod:`tidings.parser.mojibake`). It strips what arrives literally and what a
character reference (``&#27;``) or an HTML entity in a title produces.

Caps (characters; what a reader uses, far above what real feeds send: in the
test corpus the longest title is 319, author 242, category 109, summary 154K):

======================  =========================================
title (entry, feed)     1,000
author (joined names)   500
category                200 each, at most 100 per entry
summary / description   256 Ki of HTML
content                 512 Ki of HTML (the sanitizer's own cap)
language                64
======================  =========================================
"""

from __future__ import annotations

import re

from tidings.content.sanitize import (
    MAX_HTML_CHARS,
    TRUNCATED_MARKER,
    html_to_text,
    sanitize_clean_html,
)
from tidings.content.text import text_to_html
from tidings.parser.mojibake import repair_c1

__all__ = [
    "MAX_AUTHOR_CHARS",
    "MAX_CATEGORIES",
    "MAX_CATEGORY_CHARS",
    "MAX_CONTENT_CHARS",
    "MAX_SUMMARY_CHARS",
    "MAX_TITLE_CHARS",
    "cap_text",
    "clean_html",
    "plain_text",
    "plain_title",
    "strip_controls",
    "text_as_html",
]

MAX_TITLE_CHARS = 1_000
MAX_AUTHOR_CHARS = 500
MAX_CATEGORY_CHARS = 200
MAX_CATEGORIES = 100
MAX_LANGUAGE_CHARS = 64
MAX_SUMMARY_CHARS = 256 * 1024
MAX_CONTENT_CHARS = MAX_HTML_CHARS

_CONTROL_BYTES = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32)) + b"\x7f"
# In UTF-8 (surrogatepass): C1, surrogates, U+FFFE / U+FFFF.
_ODD_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]|\xed[\xa0-\xbf]|\xef\xbf[\xbe\xbf]")
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _has_controls(text: str) -> bool:
    """Whether ``text`` holds a character :func:`strip_controls` removes.

    Encoding and ``bytes.translate`` run at memory speed; a regular expression over
    the text is about 3x slower, and this runs on every summary and content."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) != len(data)
    data = text.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        return True
    return (b"\xc2" in data or b"\xed" in data or b"\xef\xbf" in data) and (
        _ODD_UTF8_RE.search(data) is not None
    )


def strip_controls(text: str) -> str:
    """``text`` without control characters (C1 runs repaired first; see the module)."""
    if not _has_controls(text):
        return text
    if not text.isascii():
        text = repair_c1(text) or ""
    return _CONTROLS_RE.sub("", text)


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "\u2026"


def plain_text(text: str, limit: int) -> str | None:
    """Literal text as a one-line field: controls out, whitespace collapsed, capped."""
    if len(text) > limit * 4:  # bound the work on a hostile field
        text = text[: limit * 4]
    return cap_text(" ".join(strip_controls(text).split()), limit) or None


def plain_title(text: str, limit: int = MAX_TITLE_CHARS) -> str | None:
    """A title or name as plain text: HTML-ish input loses its tags and entities."""
    if len(text) > limit * 4:
        text = text[: limit * 4]
    if "<" in text or "&" in text:
        text = html_to_text(text)
    return plain_text(text, limit)


def _cut_html(raw: str, limit: int) -> tuple[str, bool]:
    """``raw`` cut before ``limit`` at a tag boundary if it can be (as the sanitizer does)."""
    if len(raw) <= limit:
        return raw, False
    cut = raw.rfind("<", max(0, limit - 4096), limit)
    return raw[: cut if cut > 0 else limit], True


def clean_html(raw: str, base: str, limit: int, sanitize: bool = True) -> str | None:
    """An HTML field: cut to ``limit``, sanitized (unless ``sanitize`` is False: the
    caller sanitizes later), control characters stripped, None if empty.

    ``raw`` holds no NUL or XML-illegal character (libxml2 text, or
    ``clean_text`` output). Controls are stripped *after* sanitizing, because
    the sanitizer turns character references (``&#27;``) into characters."""
    raw, cut = _cut_html(raw, limit)
    out = sanitize_clean_html(raw, base) if sanitize else raw
    out = strip_controls(out)
    if not out:
        return None
    return out + TRUNCATED_MARKER if cut else out


def text_as_html(text: str, limit: int) -> str | None:
    """Plain text (an Atom ``type="text"`` construct, JSON Feed ``content_text``, a
    ``media:description``) as HTML by ``content.text.text_to_html`` (escaped,
    paragraphs and line breaks kept, URLs linked: #15), control characters
    stripped and capped like :func:`clean_html`."""
    text, cut = (text[:limit], True) if len(text) > limit else (text, False)
    text = strip_controls(text).strip()
    if not text:
        return None
    out = text_to_html(text)
    return out + TRUNCATED_MARKER if cut else out
