"""Reading one feed document from a file or a URL, storing nothing (``tidings parse``)."""

from __future__ import annotations

from pathlib import Path

from tidings.core.urls import check_url
from tidings.errors import FetchFailedError
from tidings.model import FeedData, Fetched, FetchError
from tidings.parser import parse_feed
from tidings.ports import Fetcher


async def parse_source(source: str, fetcher: Fetcher, max_entries: int) -> FeedData:
    """Parse a local file, or fetch and parse a URL through ``fetcher`` (closed after)."""
    try:
        if "://" not in source and not source.startswith("feed:"):
            path = Path(source)
            return parse_feed(
                path.read_bytes(), url=path.resolve().as_uri(), max_entries=max_entries
            )
        result = await fetcher.fetch(check_url(source))
    finally:
        await fetcher.aclose()
    if isinstance(result, FetchError):
        raise FetchFailedError(f"{source}: {result.message}")
    assert isinstance(result, Fetched)
    return parse_feed(
        result.body, url=result.url, content_type=result.content_type, max_entries=max_entries
    )
