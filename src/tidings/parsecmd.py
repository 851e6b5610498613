"""``tidings parse``: read one feed from a file or URL, store nothing."""

from __future__ import annotations

from pathlib import Path

from tidings.adapters.http_fetcher import HttpFetcher
from tidings.adapters.netguard import check_url
from tidings.errors import FetchFailedError
from tidings.model import FeedData, Fetched, FetchError
from tidings.parser import parse_feed
from tidings.settings import Settings


async def parse_source(settings: Settings, source: str) -> FeedData:
    """Parse a local file, or fetch and parse a URL through the guarded fetcher."""
    if "://" not in source and not source.startswith("feed:"):
        path = Path(source)
        data = path.read_bytes()
        return parse_feed(
            data, url=path.resolve().as_uri(), max_entries=settings.max_entries_per_fetch
        )
    fetcher = HttpFetcher(settings)
    try:
        result = await fetcher.fetch(check_url(source))
    finally:
        await fetcher.aclose()
    if isinstance(result, FetchError):
        raise FetchFailedError(f"{source}: {result.message}")
    assert isinstance(result, Fetched)
    return parse_feed(
        result.body,
        url=result.url,
        content_type=result.content_type,
        max_entries=settings.max_entries_per_fetch,
    )
