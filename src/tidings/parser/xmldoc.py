"""Turning feed bytes into an lxml tree, safely and leniently.

One hardened, recovering libxml2 parse is the fast path. Only when libxml2
reports an encoding problem, a character XML forbids, or undeclared entities /
bare ampersands is the document repaired (decoded here; forbidden characters
and references to them removed or replaced; HTML entities mapped to
character references) and parsed once more. The trigger is libxml2's own
error report, so a well-formed document is never scanned for any of this.
"""

from __future__ import annotations

import re
import threading
from html.entities import html5
from typing import NamedTuple

from lxml import etree

from tidings.errors import ParseError
from tidings.parser.cdata import lift_cdata, restore_cdata
from tidings.parser.encoding import (
    decode_body,
    http_charset,
    is_utf8,
    is_utf8_in_disguise,
    prolog_encoding,
    sniff_bom,
    strip_to_markup,
)

__all__ = ["XmlDocument", "parse_xml_document", "parse_xml_root"]

_ENTITY_ERRORS = frozenset(
    {
        etree.ErrorTypes.ERR_UNDECLARED_ENTITY,
        etree.ErrorTypes.WAR_UNDECLARED_ENTITY,
        etree.ErrorTypes.ERR_NAME_REQUIRED,
        etree.ErrorTypes.ERR_ENTITYREF_SEMICOL_MISSING,
        etree.ErrorTypes.ERR_INVALID_DEC_CHARREF,  # &#X41; (an uppercase X)
    }
)
_ENCODING_ERRORS = frozenset(
    {
        etree.ErrorTypes.ERR_INVALID_ENCODING,
        etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING,
        etree.ErrorTypes.ERR_UNKNOWN_ENCODING,
    }
)
# A character XML forbids, literal or referenced (``&#1;``, a surrogate ``&#xD83D;``).
# After one, libxml2's recovery drops every later ``&lt;`` ``&gt;`` ``&amp;``, and a
# surrogate reference comes out as CESU-8 that lxml cannot decode: repaired first.
_CHAR_ERRORS = frozenset({etree.ErrorTypes.ERR_INVALID_CHAR, etree.ErrorTypes.ERR_INVALID_CHARREF})
_XML_ENTITIES = frozenset({b"amp;", b"lt;", b"gt;", b"quot;", b"apos;"})
_AMP_RE = re.compile(rb"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};?)?")
_PROLOG_RE = re.compile(rb"^<\?xml[^>]*>")
_CHARREF_RE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_ILLEGAL_BYTES = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32))

_WIDE = ("utf-16", "utf-32", "ucs-2", "ucs-4", "ucs2", "ucs4")

_local = threading.local()


def _parser(utf8: bool) -> etree.XMLParser:
    """This thread's hardened parser (``utf8``: ignore the prolog's encoding)."""
    key = "utf8" if utf8 else "auto"
    parser: etree.XMLParser | None = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(
            encoding="utf-8" if utf8 else None,
            recover=True,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            collect_ids=False,
            remove_comments=True,
            remove_pis=True,
        )
        setattr(_local, key, parser)
    return parser


def _fix_entity(match: re.Match[bytes]) -> bytes:
    ref = match.group(1)
    if ref is None:
        return b"&amp;"
    if ref[:2] == b"#X":
        return b"&#x" + ref[2:]
    if ref[:1] == b"#" or ref in _XML_ENTITIES:
        return match.group(0)
    chars = html5.get(ref.decode("ascii"))
    if chars is None or not ref.endswith(b";"):
        return b"&amp;" + ref
    return "".join(f"&#{ord(c)};" for c in chars).encode("ascii")


def _fix_entities(data: bytes) -> bytes:
    """Map HTML entities to character references and escape bare ampersands."""
    return _AMP_RE.sub(_fix_entity, data)


def _legal(code: int) -> bool:
    """Whether XML 1.0 allows the character ``code``."""
    if code < 0x20:
        return code in (0x9, 0xA, 0xD)
    return code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _ref_code(match: re.Match[bytes]) -> int:
    hexa, dec = match.group(1), match.group(2)
    return int(hexa, 16) if hexa is not None else int(dec)


def _repair_chars(data: bytes) -> bytes:
    """``data`` with the characters XML forbids out: literal C0 controls and
    U+FFFE/U+FFFF removed; references to a surrogate pair become the character,
    to a lone surrogate or beyond U+10FFFF U+FFFD, to a control nothing.

    Applied to the whole document, CDATA sections included (their text reaches
    an HTML sanitizer that would decode those references the same way)."""
    data = data.translate(None, _ILLEGAL_BYTES)
    if b"\xef\xbf" in data:
        data = data.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    if b"&#" not in data:
        return data
    parts: list[bytes] = []
    last = 0
    pending: re.Match[bytes] | None = None  # a high surrogate waiting for its low half
    for match in _CHARREF_RE.finditer(data):
        code = _ref_code(match)
        if pending is not None:
            if 0xDC00 <= code <= 0xDFFF and pending.end() == match.start():
                pair = 0x10000 + ((_ref_code(pending) - 0xD800) << 10) + (code - 0xDC00)
                parts.append(data[last : pending.start()] + b"&#x%X;" % pair)
                last, pending = match.end(), None
                continue
            parts.append(data[last : pending.start()] + b"&#xFFFD;")
            last, pending = pending.end(), None
        if _legal(code):
            continue
        if 0xD800 <= code <= 0xDBFF:
            pending = match
            continue
        parts.append(data[last : match.start()] + (b"&#xFFFD;" if code >= 0xD800 else b""))
        last = match.end()
    if pending is not None:
        parts.append(data[last : pending.start()] + b"&#xFFFD;")
        last = pending.end()
    parts.append(data[last:])
    return b"".join(parts)


def _transcode(body: bytes, encoding: str | None) -> bytes:
    """Decode (with replacement) and re-encode as UTF-8 for the UTF-8 parser."""
    return decode_body(body, encoding).encode("utf-8", "replace")


def _parse(data: bytes, utf8: bool, url: str) -> tuple[etree._Element | None, set[int]]:
    parser = _parser(utf8)
    try:
        root = etree.fromstring(data, parser, base_url=url)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not XML: {exc}") from None
    errors = {error.type for error in parser.error_log} if parser.error_log else set()
    return root, errors


def _initial_bytes(body: bytes, content_type: str | None) -> tuple[bytes, bool]:
    """Bytes for the first parse, and whether they are UTF-8 whatever the prolog says."""
    bom, bom_len = sniff_bom(body)
    if bom:
        body, forced = body[bom_len:], bom
    else:
        header = http_charset(content_type)
        body = strip_to_markup(body)
        declared = header or prolog_encoding(body)
        if declared is None or (header is None and is_utf8(declared)):
            return body, False  # libxml2 reads the (UTF-8) prolog itself: the fast path
        forced = declared
        if forced.lower().replace("_", "-").startswith(_WIDE):
            forced = "utf-8"  # ASCII-compatible bytes cannot be UTF-16/32, whatever they say
    if is_utf8(forced) or is_utf8_in_disguise(forced, body):
        return strip_to_markup(body), True
    return strip_to_markup(_transcode(body, forced)), True


class XmlDocument(NamedTuple):
    """A parsed document: its root, the CDATA sections lifted out of it (see
    ``tidings.parser.cdata``; read texts through ``cdata.resolve``), and whether the
    document stops inside its root element (a feed cut short: see :func:`_truncated`)
    or libxml2 stopped reading it (a text node over its 10 MB limit)."""

    root: etree._Element
    chunks: list[bytes]
    truncated: bool = False


def _truncated(root: etree._Element, data: bytes) -> bool:
    """Whether the root element is never closed (only asked when libxml2 reported
    errors). libxml2 names the unfinished tag in only some of the ways a document
    can end early (inside a tag, a CDATA section, a comment, a name), so the
    bytes are asked instead: a cut document has no end tag for its root."""
    prefix = f"{root.prefix}:" if root.prefix else ""
    local = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else ""
    return data.rfind(f"</{prefix}{local}".encode("utf-8", "replace")) < 0


def parse_xml_document(body: bytes, url: str, content_type: str | None) -> XmlDocument:
    """Parse ``body``, repairing common breakage.

    Raises ``ParseError`` if nothing usable comes out.
    """
    data, utf8 = _initial_bytes(body, content_type)
    lifted, chunks = lift_cdata(data)
    if chunks:
        root, errors = _parse(lifted, utf8, url)
        if errors and errors <= _ENTITY_ERRORS:  # entities outside the lifted sections
            root, errors = _parse(_fix_entities(lifted), utf8, url)
        if not errors and root is not None:
            return XmlDocument(root, chunks)
    root, errors = _parse(data, utf8, url)
    if errors & _ENCODING_ERRORS:
        data, utf8 = strip_to_markup(_transcode(data, "utf-8")), True
        root, errors = _parse(data, utf8, url)
    if errors & _CHAR_ERRORS:
        data = _repair_chars(data)
        root, errors = _parse(data, utf8, url)
    if errors & _ENTITY_ERRORS:
        data = _fix_entities(data)
        root, errors = _parse(data, utf8, url)
    if root is None:
        raise ParseError("not XML: no root element")
    stopped = etree.ErrorTypes.ERR_RESOURCE_LIMIT in errors  # a text node over 10 MB
    return XmlDocument(root, [], bool(errors) and (stopped or _truncated(root, data)))


def parse_xml_root(body: bytes, url: str, content_type: str | None) -> etree._Element:
    """:func:`parse_xml_document`'s root, with the lifted sections put back into the tree."""
    root, chunks, _ = parse_xml_document(body, url, content_type)
    if chunks:
        restore_cdata(root, chunks)
    return root
