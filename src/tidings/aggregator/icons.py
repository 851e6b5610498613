"""Feed icons (#12): fetched after scheduler passes, kept in the store, served to subscribers.

For each followed feed without an icon (or with one older than ``STALE_AFTER``,
or whose last try failed more than ``RETRY_AFTER`` ago) we try, in order, the
feed's own icon or image, the icons the site's page names (``<link rel="icon">``,
``shortcut icon``, ``apple-touch-icon``; never an SVG), then ``/favicon.ico`` at
the site's origin, each through the guarded fetcher (the SSRF policy applies:
these URLs come from an untrusted document) with the body capped at
``MAX_ICON_BYTES``. Only bytes that
sniff as PNG, JPEG, GIF, WebP or ICO are stored, with the type they sniffed as;
an SVG, an HTML page or anything else is refused and the refusal recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tidings.content.icons import MAX_ICON_BYTES, icon_sources, sniff_image
from tidings.model import FeedId, FetchError, Icon, IconJob, UserId
from tidings.parser.discovery import find_icon_links
from tidings.ports import IconFetcher, Store

__all__ = ["Icons"]

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=30)
RETRY_AFTER = timedelta(days=1)
MAX_PER_PASS = 50
CONCURRENCY = 4


class Icons:
    """Fetching feeds' icons (``agg.icons``)."""

    def __init__(self, store: Store, *, new_fetcher: Callable[[], IconFetcher]) -> None:
        self.store = store
        self._new_fetcher = new_fetcher

    def get(self, user: UserId, feed_id: FeedId) -> Icon | None:
        """The stored image of one of the user's feeds; None if there is none, or the
        feed is not theirs."""
        icon = self.store.get_icon(user, feed_id)
        return icon if icon is not None and icon.data is not None else None

    async def fetch_due(self, now: datetime | None = None) -> int:
        """Fetch the icons that are due (at most ``MAX_PER_PASS``, ``CONCURRENCY`` at
        once); returns how many feeds were tried. Failures are recorded, not raised."""
        now = now or datetime.now(UTC)
        jobs = await asyncio.to_thread(
            self.store.get_icon_candidates,
            stale_before=now - STALE_AFTER,
            retry_before=now - RETRY_AFTER,
            limit=MAX_PER_PASS,
        )
        if not jobs:
            return 0
        fetcher = self._new_fetcher()
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one(job: IconJob) -> None:
            async with slots:
                await self._fetch_one(fetcher, job, now)

        try:
            await asyncio.gather(*(one(job) for job in jobs))
        finally:
            await fetcher.aclose()
        return len(jobs)

    async def _fetch_one(self, fetcher: IconFetcher, job: IconJob, now: datetime) -> None:
        errors: list[str] = []
        tried: list[str] = []
        own, favicon = icon_sources(job.icon_url, job.link, job.feed_url), []
        if own and own[-1].endswith("/favicon.ico"):
            favicon = [own.pop()]
        for url in own:
            if await self._try(fetcher, job, url, now, errors, tried):
                return
        for url in await _page_icons(fetcher, job.link):
            if await self._try(fetcher, job, url, now, errors, tried):
                return
        for url in favicon:
            if await self._try(fetcher, job, url, now, errors, tried):
                return
        error = "; ".join(errors)[:300] or "no icon URL"
        log.debug("icon of feed %s: %s", job.feed_id, error)
        await asyncio.to_thread(
            self.store.set_icon,
            job.feed_id,
            now=now,
            error=error,
            source_url=tried[-1] if tried else None,
        )

    async def _try(
        self,
        fetcher: IconFetcher,
        job: IconJob,
        url: str,
        now: datetime,
        errors: list[str],
        tried: list[str],
    ) -> bool:
        """Fetch one candidate; store it if it is an image we keep, else note why not."""
        if url in tried:
            return False
        tried.append(url)
        got = await fetcher.get_image(url, max_bytes=MAX_ICON_BYTES)
        if isinstance(got, FetchError):
            errors.append(got.message)
            return False
        content_type = sniff_image(got.body)
        if content_type is None:
            declared = (got.content_type or "no type").split(";")[0].strip()[:60]
            errors.append(f"not an image we keep ({declared})")
            return False
        await asyncio.to_thread(
            self.store.set_icon,
            job.feed_id,
            now=now,
            data=got.body,
            content_type=content_type,
            source_url=got.url,
        )
        return True


async def _page_icons(fetcher: IconFetcher, link: str | None) -> list[str]:
    """The icons the site's page names (``<link rel="icon">``); none if it cannot be read."""
    if not link or not link.startswith(("http://", "https://")):
        return []
    page = await fetcher.get_page(link)
    if isinstance(page, FetchError):
        return []
    return [u for u in find_icon_links(page.body, page.url) if u.startswith(("http:", "https:"))]
