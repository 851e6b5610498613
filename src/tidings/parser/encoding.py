"""Character encodings of feed documents.

Precedence: byte order mark > HTTP ``Content-Type`` charset > XML prolog >
sniffing, with one exception: bytes that are valid UTF-8 and hold at least
one multi-byte sequence are read as UTF-8 when the declared charset is a
Latin-1 family one (ISO-8859-1/-15, windows-1252, US-ASCII; see
:func:`is_utf8_in_disguise`). The XML fast path hands the original bytes to libxml2 (which reads
the prolog itself); only when a BOM or an HTTP charset overrides the prolog,
or when libxml2 reports an encoding error, are the bytes decoded here, with
replacement characters, never an exception.
"""

from __future__ import annotations

import codecs
import re

__all__ = [
    "decode_body",
    "http_charset",
    "is_utf8_in_disguise",
    "prolog_encoding",
    "sniff_bom",
    "strip_to_markup",
]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:\-]+)""", re.IGNORECASE)
_PROLOG_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:\-]+)["']""")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "u8"})


def sniff_bom(body: bytes) -> tuple[str | None, int]:
    """The encoding a BOM announces and the BOM's length, or ``(None, 0)``."""
    if body[:1] in (b"\xef", b"\xff", b"\xfe", b"\x00"):
        for bom, name in _BOMS:
            if body.startswith(bom):
                return name, len(bom)
    if body[:4] == b"<\x00?\x00":
        return "utf-16-le", 0
    if body[:4] == b"\x00<\x00?":
        return "utf-16-be", 0
    return None, 0


def _known(name: str | None) -> str | None:
    """The Python codec name for ``name``, or ``None`` if Python does not know it."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    """The (known) charset parameter of a Content-Type header."""
    if not content_type or "charset" not in content_type.lower():
        return None
    match = _CHARSET_RE.search(content_type)
    return _known(match.group(1)) if match else None


def prolog_encoding(body: bytes) -> str | None:
    """The encoding named by the XML declaration, if any (known or not)."""
    match = _PROLOG_RE.match(body[:200])
    return match.group(1).decode("ascii", "replace") if match else None


def is_utf8(name: str | None) -> bool:
    return name is None or name.lower() in _UTF8_NAMES


def decode_body(body: bytes, encoding: str | None) -> str:
    """Decode with ``encoding`` (default UTF-8), with replacement characters.

    A document that is not valid UTF-8 and holds no valid multi-byte UTF-8
    sequence at all is taken as windows-1252 (the most common mislabelling).
    """
    name = _known(encoding) or "utf-8"
    if name == "utf-8":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("utf-8", "replace")
            if _no_multibyte(text):
                return body.decode("cp1252", "replace")
            return text
    if name in _WINDOWS_1252_LABELS:  # as browsers do (WHATWG Encoding Standard)
        return body.decode("cp1252", "replace")
    return body.decode(name, "replace")


#: Labels whose bytes 0x80-0x9F are windows-1252 in practice (cp1252 extends them).
_WINDOWS_1252_LABELS = frozenset({"iso8859-1", "ascii"})
_LATIN_LABELS = _WINDOWS_1252_LABELS | {"cp1252", "iso8859-15"}


def is_utf8_in_disguise(encoding: str | None, body: bytes) -> bool:
    """Whether ``body``, declared ``encoding``, is really UTF-8.

    True when the label is a Latin-1 family one and the bytes are valid UTF-8
    holding at least one multi-byte sequence. Latin-1 text almost never forms
    valid UTF-8 by chance (an accented capital followed by one or two symbols
    from the C1/high range, every time), while servers that label every
    response ISO-8859-1 (the old HTTP/1.1 default) are common. Miniflux reads
    any valid UTF-8 document as UTF-8 whatever it declares; feedparser 6 tries
    the declared charset first (ISO-8859-1 never fails, so it returns the
    mojibake); browsers follow the label. This rule is the narrow middle."""
    if _known(encoding) not in _LATIN_LABELS or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_MULTIBYTE_RE = re.compile("[^\x00-\x7f\ufffd]")


def _no_multibyte(text: str) -> bool:
    """True if every non-ASCII character of ``text`` is U+FFFD."""
    return _MULTIBYTE_RE.search(text) is None


def strip_to_markup(body: bytes) -> bytes:
    """Drop leading whitespace (libxml2 rejects it before ``<?xml``)."""
    if body[:1] in (b" ", b"\t", b"\r", b"\n"):
        return body.lstrip()
    return body
