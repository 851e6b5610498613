"""HTTP for published documents: validators (ETag, Last-Modified), 304s, gzip.

A document's ETag comes from what it is made of (``Published.etag``), so a
conditional request is answered before anything is rendered. ETags are weak
(``W/"..."``): the gzip and identity bodies of one document are the same
representation to a reader, and ``If-None-Match`` compares weakly anyway
(RFC 9110 13.1.2). ``If-None-Match`` wins over ``If-Modified-Since`` when both
are sent (RFC 9110 13.2.2).
"""

from __future__ import annotations

import gzip
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

GZIP_MIN = 512  # smaller bodies are sent as they are
GZIP_LEVEL = 6


def weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy (by ``If-None-Match``, else ``If-Modified-Since``) is current."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        wanted = _opaque(etag)
        return any(_opaque(tag) == wanted for tag in if_none_match.split(","))
    since = request.headers.get("if-modified-since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            return False
        return int(last_modified.timestamp()) <= int(when.timestamp())
    return False


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


def validators(etag: str, last_modified: datetime, cache_control: str) -> dict[str, str]:
    return {
        "etag": weak(etag),
        "last-modified": format_datetime(last_modified.replace(microsecond=0), usegmt=True),
        "cache-control": cache_control,
        "vary": "Accept-Encoding",
    }


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str],
) -> Response:
    """``body`` with its validators, gzipped when the client takes it and it pays."""
    headers = dict(headers)
    if len(body) >= GZIP_MIN and accepts_gzip(request):
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers["content-encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)


def not_modified_response(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers=headers)
