"""The refresh's enrich step: full text for new teaser entries.

The story step (``content.story.StoryJob``) runs with the parse, in one call off
the event loop, and names the article pages that new teasers want. This step
runs after it (so only new entries can trigger a page fetch) and before the
store (which writes the story, clusters copies and records rule outcomes in the
feed's one transaction)::

    context        = store.get_story_context(feed, wanted)  # + the page cache
    pages          = fetch the wanted pages not in the cache  # guarded fetcher, bounded
    updates        = build_updates(those entries, pages)    # CPU, only when pages came

Page fetches go through the guarded fetcher (``get_page``: SSRF policy, size
cap, deadline), at most ``per_host`` at once per host (the story step wants at
most ``content.story.MAX_PAGES`` per feed refresh), within ``budget`` seconds
per feed; a host that cannot be reached, or fails ``MAX_HOST_FAILURES`` times,
is not asked again for that feed's pages for ``forget_after`` seconds (another
feed's links to the same host may well work: one feed's refused links once
stopped every feed's full text on that host for the whole batch; #11). One
``Enricher`` serves one refresh batch and fetches each page at most once in it;
across batches the store's page cache (articles already extracted for the same
canonical URL) spares the fetch. The extraction itself is CPU work and never
runs on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from tidings.content.fingerprint import canonical_url
from tidings.content.story import (
    FeedInfo,
    Page,
    build_updates,
    with_search_text,
)
from tidings.errors import WorkerDiedError
from tidings.model import (
    EntryUpdate,
    FeedData,
    FeedId,
    FeedState,
    Fetched,
    FetchError,
)
from tidings.ports import Store

__all__ = ["Enricher", "PageFetcher"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PAGE_BYTES = 3 * 1024 * 1024
MAX_HOST_FAILURES = 3
FORGET_AFTER = 600.0  # seconds a feed's failures on a host are remembered
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def _page_key(update: EntryUpdate) -> str | None:
    link = update.data.link
    return (canonical_url(link) or link) if link and update.is_new else None


class PageFetcher(Protocol):
    async def get_page(self, url: str) -> Fetched | FetchError: ...


class Runner(Protocol):
    """Runs a blocking function off the event loop (a thread or a worker process)."""

    def __call__(self, fn: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


class Enricher:
    """The enrich step for one refresh batch (``await enricher(state, feed, updates)``)."""

    def __init__(
        self,
        store: Store,
        pages: PageFetcher,
        *,
        run_store: Runner,
        run_cpu: Runner,
        per_host: int = 2,
        budget: float = 20.0,
        forget_after: float = FORGET_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._pages = pages
        self._run_store = run_store
        self._run_cpu = run_cpu
        self._per_host = max(1, per_host)
        self._budget = budget
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._forget_after = forget_after
        self._clock = clock
        # (feed, host) -> (failures, when the last one was)
        self._failures: dict[tuple[FeedId, str], tuple[int, float]] = {}
        self._fetches: dict[str, asyncio.Task[Page | None]] = {}

    async def __call__(
        self,
        state: FeedState,
        feed: FeedData,
        updates: Sequence[EntryUpdate],
        wanted: Mapping[str, str],
    ) -> tuple[EntryUpdate, ...]:
        """``updates`` (their stories built) with the ``wanted`` article pages used."""
        built = tuple(updates)
        if not built or not wanted:
            return built
        info = FeedInfo.of(state.id, feed, state.title, state.link, state.full_text)
        context = await self._run_store(self._store.get_story_context, state.id, list(wanted))
        missing = {key: link for key, link in wanted.items() if key not in context.articles}
        pages = await self._fetch_pages(state.id, missing)
        found = pages.keys() | context.articles.keys()
        redo = [i for i, u in enumerate(built) if _page_key(u) in found]
        if not redo:
            return built
        # the entries with an article, built again with it (cleaning and sanitizing
        # are idempotent: their content is as it was)
        try:
            rebuilt = await self._run_cpu(
                build_updates, tuple(built[i] for i in redo), info, context, pages, with_search_text
            )
        except WorkerDiedError as exc:  # these pages killed the worker: the entries as they are
            log.warning("full text for %s: %s", state.url, exc)
            return built
        out = list(built)
        for i, update in zip(redo, rebuilt, strict=True):
            out[i] = update
        return tuple(out)

    async def _fetch_pages(self, feed: FeedId, links: Mapping[str, str]) -> dict[str, Page]:
        """Fetch ``key -> link`` for ``feed``; the pages that came in time, by key."""
        if not links:
            return {}
        tasks = {key: self._fetch_once(feed, key, link) for key, link in links.items()}
        done, _pending = await asyncio.wait(tasks.values(), timeout=self._budget)
        pages = {}
        for key, task in tasks.items():
            if task in done and not task.cancelled() and task.exception() is None:
                page = task.result()
                if page is not None:
                    pages[key] = page
        return pages

    def _fetch_once(self, feed: FeedId, key: str, link: str) -> asyncio.Task[Page | None]:
        task = self._fetches.get(key)
        if task is None:
            task = self._fetches[key] = asyncio.ensure_future(self._fetch(feed, link))
        return task

    def _failed(self, where: tuple[FeedId, str]) -> int:
        """How often ``where`` (feed, host) failed lately; older failures are forgotten."""
        failures, last = self._failures.get(where, (0, 0.0))
        if failures and self._clock() - last >= self._forget_after:
            del self._failures[where]
            return 0
        return failures

    async def _fetch(self, feed: FeedId, link: str) -> Page | None:
        host = (urlsplit(link).hostname or "").lower()
        where = (feed, host)
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
        async with gate:
            if self._failed(where) >= MAX_HOST_FAILURES:
                return None
            result = await self._pages.get_page(link)
        if isinstance(result, FetchError):
            log.info("full text: %s: %s", link, result.message)
            unreachable = result.status is None  # DNS, connect, TLS, deadline, policy
            failures = MAX_HOST_FAILURES if unreachable else self._failed(where) + 1
            self._failures[where] = (failures, self._clock())
            return None
        self._failures.pop(where, None)
        kind = (result.content_type or "text/html").split(";")[0].strip().lower()
        if kind not in _HTML_TYPES:
            log.info("full text: %s is %s, not a page", link, kind)
            return None
        return Page(result.url, result.body[:MAX_PAGE_BYTES], result.content_type)

    async def aclose(self) -> None:
        """Cancel fetches still running (the batch is over)."""
        pending = [t for t in self._fetches.values() if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        self._fetches.clear()
