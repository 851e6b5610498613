"""Turning feed bytes into an lxml tree, safely and leniently.

One hardened, recovering libxml2 parse is the fast path. Only when libxml2
reports an encoding problem or undeclared entities / bare ampersands is the
document repaired (decoded here; HTML entities mapped to character
references) and parsed once more.
"""

from __future__ import annotations

import re
import threading
from html.entities import html5

from lxml import etree

from tidings.errors import ParseError
from tidings.parser.cdata import lift_cdata, restore_cdata
from tidings.parser.encoding import (
    decode_body,
    http_charset,
    is_utf8,
    prolog_encoding,
    sniff_bom,
    strip_to_markup,
)

__all__ = ["parse_xml_document", "parse_xml_root"]

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
_XML_ENTITIES = frozenset({b"amp;", b"lt;", b"gt;", b"quot;", b"apos;"})
_AMP_RE = re.compile(rb"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};?)?")
_PROLOG_RE = re.compile(rb"^<\?xml[^>]*>")

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
    if is_utf8(forced):
        return strip_to_markup(body), True
    return strip_to_markup(_transcode(body, forced)), True


def parse_xml_document(
    body: bytes, url: str, content_type: str | None
) -> tuple[etree._Element, list[bytes]]:
    """Parse ``body`` into its root element, repairing common breakage.

    Returns the root and the CDATA sections lifted out of it (see
    ``tidings.parser.cdata``; read texts through ``cdata.resolve``).
    Raises ``ParseError`` if nothing usable comes out.
    """
    data, utf8 = _initial_bytes(body, content_type)
    lifted, chunks = lift_cdata(data)
    if chunks:
        root, errors = _parse(lifted, utf8, url)
        if errors and errors <= _ENTITY_ERRORS:  # entities outside the lifted sections
            root, errors = _parse(_fix_entities(lifted), utf8, url)
        if not errors and root is not None:
            return root, chunks
    root, errors = _parse(data, utf8, url)
    if errors & _ENCODING_ERRORS:
        data, utf8 = strip_to_markup(_transcode(data, "utf-8")), True
        root, errors = _parse(data, utf8, url)
    if errors & _ENTITY_ERRORS:
        root, errors = _parse(_fix_entities(data), utf8, url)
    if root is None:
        raise ParseError("not XML: no root element")
    return root, []


def parse_xml_root(body: bytes, url: str, content_type: str | None) -> etree._Element:
    """:func:`parse_xml_document` with the lifted sections put back into the tree."""
    root, chunks = parse_xml_document(body, url, content_type)
    if chunks:
        restore_cdata(root, chunks)
    return root
