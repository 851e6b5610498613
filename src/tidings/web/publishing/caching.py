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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

GZIP_MIN = 512  # smaller bodies are sent as they are
GZIP_LEVEL = 4  # 220 KB of Atom: 2.2 ms and 58.8 KB; level 6 took 7.2 ms for 53.3 KB
FRESH_SECONDS = 30  # a remembered ETag answers conditional requests this long at most


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
    packed: bytes | None = None,
) -> Response:
    """``body`` with its validators, gzipped (``packed``, if given) when the client
    takes it and it pays."""
    headers = dict(headers)
    if len(body) >= GZIP_MIN and accepts_gzip(request):
        body = packed if packed is not None else pack(body)
        headers["content-encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)


def pack(body: bytes) -> bytes:
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def not_modified_response(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers=headers)


@dataclass(frozen=True, slots=True)
class Known:
    """What one URL last answered: its validators, and the user's newest entry then."""

    etag: str
    last_modified: datetime
    latest: int
    at: float  # when (monotonic): it is asked again FRESH_SECONDS later


class DocumentCache:
    """Validators and bodies of recently served documents, in this process.

    - ``known(key, latest)``: the ETag a URL last answered, for up to ``FRESH_SECONDS``
      and only while the owner's newest entry is still ``latest``: a conditional
      request matching it is a 304 after two indexed lookups (the token or slug, the
      newest entry id), without listing the selection. A new story ends it at once;
      a mark (read, starred, tags) or an edit of a stored story shows within
      ``FRESH_SECONDS``, less than the ``max-age`` the documents are sent with.
    - ``body(etag)``: a rendered document by its ETag (identity and gzip), so the
      same items are rendered and compressed once while they stay the same (exact:
      the ETag is computed from the items each time).
    """

    def __init__(self, *, validators: int = 1024, bodies: int = 32) -> None:
        self._known: OrderedDict[tuple[str, ...], Known] = OrderedDict()
        self._bodies: OrderedDict[tuple[str, bool], bytes] = OrderedDict()
        self._max_known, self._max_bodies = validators, bodies
        self._lock = threading.Lock()

    def known(self, key: tuple[str, ...], latest: int) -> Known | None:
        with self._lock:
            found = self._known.get(key)
            if (
                found is None
                or found.latest != latest
                or time.monotonic() - found.at > FRESH_SECONDS
            ):
                return None
            self._known.move_to_end(key)
            return found

    def remember(
        self, key: tuple[str, ...], etag: str, last_modified: datetime, latest: int
    ) -> None:
        with self._lock:
            self._known[key] = Known(etag, last_modified, latest, time.monotonic())
            self._known.move_to_end(key)
            while len(self._known) > self._max_known:
                self._known.popitem(last=False)

    def body(self, etag: str, packed: bool, make: Callable[[], bytes]) -> bytes:
        """The document of ``etag`` (gzipped when ``packed``), made by ``make`` once."""
        key = (etag, packed)
        with self._lock:
            found = self._bodies.get(key)
            if found is not None:
                self._bodies.move_to_end(key)
                return found
        body = make()
        with self._lock:
            self._bodies[key] = body
            while len(self._bodies) > self._max_bodies:
                self._bodies.popitem(last=False)
        return body
