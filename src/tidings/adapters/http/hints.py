"""Conditional-request validators out, validators and scheduling hints back.

Validators are echoed verbatim (never computed from our clock) unless they
cannot be sent back safely. Hints are seconds from now: ``Retry-After``
(delta or HTTP date), ``Cache-Control: max-age`` or ``Expires``; HTTP dates
are measured against the server's ``Date`` header when it sent one
(HOSTILE.md A13, A14, G2). Hints are clamped to [1 min, 7 days]; negative
or unparseable values are ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from multidict import CIMultiDictProxy

from tidings.adapters.http.body import ACCEPT_ENCODING
from tidings.model import Caching

__all__ = ["max_age", "request_headers", "response_caching", "retry_after", "safe_validator"]

MIN_HINT = 60.0
MAX_HINT = 7 * 86400.0
_MAX_VALIDATOR = 1024


def request_headers(caching: Caching, accept: str) -> tuple[dict[str, str], bool]:
    headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    etag = safe_validator(caching.etag)
    modified = safe_validator(caching.last_modified)
    if etag is not None:
        headers["If-None-Match"] = etag
    if modified is not None:
        headers["If-Modified-Since"] = modified
    return headers, etag is not None or modified is not None


def safe_validator(value: str | None) -> str | None:
    """The validator verbatim, or None if it cannot be sent back safely (CR/LF, huge)."""
    if value is None or not value or len(value) > _MAX_VALIDATOR or not value.isprintable():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def response_caching(headers: CIMultiDictProxy[str]) -> Caching:
    return Caching(
        etag=safe_validator(headers.get("ETag")),
        last_modified=safe_validator(headers.get("Last-Modified")),
    )


def _clamp_hint(seconds: float) -> float:
    return min(max(seconds, MIN_HINT), MAX_HINT)


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _server_now(headers: CIMultiDictProxy[str]) -> datetime:
    """The server's clock (its ``Date`` header) if it sent one, else ours."""
    date = headers.get("Date")
    parsed = _http_date(date) if date else None
    return parsed or datetime.now(UTC)


def _delta_seconds(value: str) -> float | None:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return MAX_HINT if len(text) > 9 else float(int(text))


def retry_after(headers: CIMultiDictProxy[str]) -> float | None:
    """``Retry-After`` as seconds from now (delta or HTTP date), clamped; garbage ignored."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    seconds = _delta_seconds(value)
    if seconds is None:
        when = _http_date(value)
        if when is None:
            return None
        seconds = (when - _server_now(headers)).total_seconds()
        if seconds < 0:
            return None
    return _clamp_hint(seconds)


def max_age(headers: CIMultiDictProxy[str]) -> float | None:
    """Freshness from ``Cache-Control: max-age`` or ``Expires`` (vs ``Date``), clamped."""
    for value in headers.getall("Cache-Control", []):
        for directive in value.split(","):
            name, _, arg = directive.strip().partition("=")
            if name.strip().lower() == "max-age":
                seconds = _delta_seconds(arg.strip().strip('"'))
                return None if seconds is None else _clamp_hint(seconds)
    expires = headers.get("Expires")
    when = _http_date(expires) if expires else None
    if when is None:
        return None
    seconds = (when - _server_now(headers)).total_seconds()
    return None if seconds <= 0 else _clamp_hint(seconds)
