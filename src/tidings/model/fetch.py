"""What a fetch brings back: a document, a 304, a failure; validators and hints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caching:
    """Validators for a conditional GET, echoed verbatim from the server."""

    etag: str | None = None
    last_modified: str | None = None


NO_CACHING = Caching()


@dataclass(frozen=True, slots=True)
class Hints:
    """Scheduling hints a server gave with its response (seconds from now)."""

    max_age: float | None = None  # Cache-Control max-age / Expires
    retry_after: float | None = None  # Retry-After on 429/503


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 200 response with its (decompressed, size-capped) body."""

    url: str  # final URL after redirects
    body: bytes
    content_type: str | None
    caching: Caching
    hints: Hints = Hints()
    permanent_redirect: str | None = None  # target of a 301/308 chain, if any


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304 answer to a request that did send validators."""

    caching: Caching
    hints: Hints = Hints()


@dataclass(frozen=True, slots=True)
class FetchError:
    """A fetch that failed; recorded on the feed, never raised through a batch."""

    message: str
    status: int | None = None
    gone: bool = False  # 410: disable the feed
    hints: Hints = Hints()
    refused: bool = False  # the address policy refused the destination (#15)
    too_large: bool = False  # the body passed the cap (#15)


FetchResult = Fetched | NotModified | FetchError


@dataclass(frozen=True, slots=True)
class Posted:
    """The answer to a form POST (a WebSub hub request): its status and a capped body."""

    status: int
    body: bytes = b""
