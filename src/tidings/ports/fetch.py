"""Outbound HTTP and the document steps the refresh plugs in."""

from __future__ import annotations

from typing import Protocol

from tidings.model import (
    NO_CACHING,
    Caching,
    FeedData,
    Fetched,
    FetchError,
    FetchResult,
)


class Fetcher(Protocol):
    """Outbound HTTP, guarded (SSRF policy, size cap, deadline)."""

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        """GET ``url``, conditionally when ``caching`` has validators.

        Never raises for network or HTTP failures: they come back as ``FetchError``.
        """
        ...

    async def get_page(self, url: str) -> Fetched | FetchError:
        """GET a web page (full text of an entry) under the same guard."""
        ...

    async def aclose(self) -> None: ...


class IconFetcher(Protocol):
    """Outbound HTTP for feed icons (#12), under the ``Fetcher``'s guard."""

    async def get_image(self, url: str, *, max_bytes: int) -> Fetched | FetchError:
        """GET ``url`` with its body capped at ``max_bytes`` (over it: a ``FetchError``)."""
        ...

    async def get_page(self, url: str) -> Fetched | FetchError:
        """GET a web page (the site whose icons it names) under the same guard."""
        ...

    async def aclose(self) -> None: ...


class FeedParser(Protocol):
    def __call__(
        self, body: bytes, *, url: str, content_type: str | None = None, max_entries: int = ...
    ) -> FeedData:
        """Parse a feed document. Raises ``ParseError`` and nothing else."""
        ...


class Sanitizer(Protocol):
    def __call__(self, html: str, base_url: str | None = None) -> str:
        """Return allowlisted HTML; relative URLs are made absolute against ``base_url``."""
        ...
