"""``make_app(settings) -> Aggregator``: the only place that wires adapters to the core.

The CLI, the web app and the APIs talk to the ``Aggregator`` facade and never
to the store directly. Store reads are plain methods (the web runs them in its
thread pool); anything that touches the network is ``async``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from tidings.accounts import Accounts
from tidings.adapters.http_fetcher import HttpFetcher
from tidings.adapters.netguard import check_url
from tidings.adapters.store import open_store
from tidings.core import schedule
from tidings.errors import DiscoveryError, NotFoundError, ParseError
from tidings.model import (
    BatchSummary,
    Entry,
    EntryFilter,
    EntryId,
    EntryUpdate,
    Feed,
    FeedData,
    FeedState,
    Fetched,
    FetchError,
    RefreshResult,
    UserId,
)
from tidings.parser import parse_feed
from tidings.parser.discovery import find_feed_links
from tidings.parser.opml import OpmlFeed, parse_opml, write_opml
from tidings.pool import watch_owner
from tidings.ports import Fetcher, Store
from tidings.reading import Reading
from tidings.refresh import Deps, Processed, process_document, refresh_feeds
from tidings.scheduling import InFlight, Scheduling
from tidings.settings import Settings
from tidings.stories import Stories
from tidings.websub import WebSub
from tidings.writer import StoreWriter

if TYPE_CHECKING:
    from tidings.content.enrich import Enricher
    from tidings.content.story import StoryJob

T = TypeVar("T")
DEFAULT_USER = "admin"
POOL_THRESHOLD = 8  # below this many feeds, parsing inline beats starting processes
MAX_DISCOVERY_CANDIDATES = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Processors:
    """Runs ``process_document`` inline or in a pool of worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["tidings.pool", "tidings.refresh", "tidings.content.story"])
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=watch_owner, initargs=(os.getpid(),)
            )
        return self._pool

    async def inline(self, *args: Any) -> Processed:
        return process_document(*args)

    async def pooled(self, *args: Any) -> Processed:
        return await asyncio.get_running_loop().run_in_executor(
            self.pool(), process_document, *args
        )

    async def call(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run any picklable function in the pool (the enrich step's extraction)."""
        return await asyncio.get_running_loop().run_in_executor(self.pool(), fn, *args)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _LazyEnricher:
    """The enrich step, built when a feed first has new entries: a refresh that
    meets only 304s never imports the extractor (trafilatura, ~0.3 s)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args, self._kwargs = args, kwargs
        self._enricher: Enricher | None = None

    async def __call__(
        self,
        state: FeedState,
        feed: FeedData,
        updates: Sequence[EntryUpdate],
        wanted: Mapping[str, str] | None = None,
    ) -> tuple[EntryUpdate, ...]:
        if not updates or wanted == {}:
            return tuple(updates)  # nothing to build, or built with no page wanted
        if self._enricher is None:
            from tidings.content.enrich import Enricher

            self._enricher = Enricher(*self._args, **self._kwargs)
        return await self._enricher(state, feed, updates, wanted)

    async def aclose(self) -> None:
        if self._enricher is not None:
            await self._enricher.aclose()


class Aggregator:
    """The facade: subscriptions, refresh, reading, OPML."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.accounts = Accounts(store)  # users, passwords, sessions (#6)
        self.reading = Reading(store, settings)  # sidebar, search, bulk marks (#6)
        self.stories = Stories(store)  # filter rules, extraction options (#5)
        self.scheduling = Scheduling(store, settings)  # interval overrides, next due (#4)
        self._in_flight = InFlight()  # never two refreshes of one feed at once (#4)
        self.websub = WebSub(  # hub subscriptions and pushes (#4)
            store,
            settings,
            new_fetcher=self.new_fetcher,
            new_poster=self.new_fetcher,
            refresh=lambda url, fetcher: self.refresh([url], fetcher=fetcher),
        )
        self.limits = schedule.Limits(settings.min_interval, settings.max_interval)
        workers = settings.parse_workers or os.cpu_count() or 1
        self._processors = _Processors(workers)
        self._writer = StoreWriter(store)  # every refresh write; commits in groups
        self._readers = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="tidings-read")

    # lifecycle

    def close(self) -> None:
        self._processors.shutdown()
        self._writer.close()
        self._readers.shutdown(wait=True)
        self.store.close()

    def __enter__(self) -> Aggregator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new_fetcher(self) -> HttpFetcher:
        return HttpFetcher(self.settings)

    async def _story_job(self, state: FeedState) -> StoryJob:
        """A feed's story step, to run in the worker that parses its document."""
        from tidings.content.story import StoryJob

        context = await self._read(self.store.get_story_context, state.id, [])
        return StoryJob(
            state.id,
            state.title,
            state.link,
            state.full_text,
            context,
            prepare=type(self.store).prepare_entries,
        )

    async def _read(self, fn: Callable[..., T], /, *args: Any) -> T:
        """A blocking store read on a reader thread (WAL: it never waits for the writer)."""
        return await asyncio.get_running_loop().run_in_executor(self._readers, fn, *args)

    # users

    def user_id(self, name: str = DEFAULT_USER, *, is_admin: bool = True) -> UserId:
        return self.store.ensure_user(name, is_admin=is_admin)

    # subscriptions

    async def discover(self, url: str) -> tuple[str, FeedData]:
        """Find the feed at ``url``: the URL itself, or a feed a site page links to."""
        url = check_url(url)
        fetcher = self.new_fetcher()
        try:
            page = await fetcher.fetch(url)
            if isinstance(page, FetchError):
                raise DiscoveryError(f"{url}: {page.message}")
            assert isinstance(page, Fetched)
            try:
                return page.permanent_redirect or url, self._parse(page)
            except ParseError:
                pass
            for candidate in find_feed_links(page.body, page.url)[:MAX_DISCOVERY_CANDIDATES]:
                found = await fetcher.fetch(check_url(candidate))
                if isinstance(found, Fetched):
                    try:
                        return found.permanent_redirect or candidate, self._parse(found)
                    except ParseError:
                        continue
            raise DiscoveryError(f"no feed found at {url}")
        finally:
            await fetcher.aclose()

    def _parse(self, fetched: Fetched) -> FeedData:
        return parse_feed(
            fetched.body,
            url=fetched.url,
            content_type=fetched.content_type,
            max_entries=self.settings.max_entries_per_fetch,
        )

    async def add_feed(
        self, user: UserId, url: str, *, category: str | None = None, discover: bool = True
    ) -> FeedState:
        """Subscribe to a feed (resolving a site address to its feed); it is due at once."""
        feed_url = (await self.discover(url))[0] if discover else check_url(url)
        state = self.store.add_feed(user, feed_url, category=category, now=utcnow())
        self.scheduling.wake()  # due now: a sleeping scheduler fetches it at once
        return state

    def remove_feed(self, user: UserId, url: str) -> None:
        self.store.remove_feed(user, url)

    def get_feeds(self, user: UserId) -> list[Feed]:
        return self.store.get_feeds(user)

    def get_categories(self, user: UserId) -> list[str]:
        return self.store.get_categories(user)

    # refresh

    async def refresh(
        self,
        urls: Sequence[str] = (),
        *,
        all_feeds: bool = False,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[RefreshResult], None] | None = None,
        fetcher: Fetcher | None = None,
    ) -> BatchSummary:
        """Refresh the named feeds, every feed, or (by default) the due ones.

        A feed this process is already refreshing (the scheduler and a reader's
        "refresh" at once) is left to that refresh, never fetched twice at once.
        ``fetcher`` (closed afterwards) replaces the guarded HTTP fetcher: a
        WebSub push refreshes its feed from the pushed document this way.
        """
        if urls:
            states = [self.store.get_feed_state_by_url(u) for u in urls]
        elif all_feeds:
            states = self.store.get_all_feeds()
        else:
            states = self.store.get_due_feeds(utcnow())
        states = self._in_flight.claim(states)
        try:
            return await self._refresh(states, on_start, on_result, fetcher or self.new_fetcher())
        finally:
            self._in_flight.release(states)

    async def _refresh(
        self,
        states: Sequence[FeedState],
        on_start: Callable[[int], None] | None,
        on_result: Callable[[RefreshResult], None] | None,
        fetcher: Fetcher,
    ) -> BatchSummary:
        if on_start is not None:
            on_start(len(states))
        use_pool = len(states) >= POOL_THRESHOLD and self._processors.workers > 1
        enricher = _LazyEnricher(
            self.store,
            fetcher,
            run_store=self._read,
            run_cpu=self._processors.call if use_pool else asyncio.to_thread,
            prepare=type(self.store).prepare_entries if use_pool else None,
        )
        deps = Deps(
            store=self.store,
            fetcher=fetcher,
            process=self._processors.pooled if use_pool else self._processors.inline,
            run=self._read,
            record=self._writer.apply,
            limits=self.limits,
            max_entries=self.settings.max_entries_per_fetch,
            clock=utcnow,
            enrich=enricher,
            # in a big refresh the stories (and search text) are built in the
            # parsing worker's call: the entries cross processes once (#4)
            story=self._story_job if use_pool else None,
        )
        try:
            return await refresh_feeds(deps, states, on_result=on_result)
        finally:
            await enricher.aclose()
            await fetcher.aclose()

    # reading

    def get_entries(self, user: UserId, filter: EntryFilter) -> list[Entry]:
        return self.store.get_entries(user, filter)

    def get_entry(self, user: UserId, entry_id: int) -> Entry:
        return self.store.get_entry(user, EntryId(entry_id))

    def mark_entry(
        self, user: UserId, entry_id: int, *, read: bool | None = None, starred: bool | None = None
    ) -> Entry:
        self.store.mark_entry(user, EntryId(entry_id), read=read, starred=starred, now=utcnow())
        entry = self.store.get_entry(user, EntryId(entry_id))
        if read is not None and entry.duplicates:  # one story, read once (#5)
            ids = [d.id for d in entry.duplicates]
            self.store.mark_entries_read(user, ids, read=read, now=utcnow())
        return entry

    # OPML

    def import_opml(self, user: UserId, data: bytes) -> tuple[int, list[str]]:
        """Subscribe to every feed in an OPML document; fetching is left to the scheduler.

        Returns the number added and the problems found (bad URLs are skipped).
        """
        added, problems = 0, []
        for item in parse_opml(data):
            try:
                url = check_url(item.url)
            except ValueError as exc:
                problems.append(f"{item.url}: {exc}")
                continue
            self.store.add_feed(user, url, category=item.category, now=utcnow())
            added += 1
        self.scheduling.wake()
        return added, problems

    def export_opml(self, user: UserId) -> bytes:
        feeds = [
            OpmlFeed(url=f.state.url, title=f.state.title, category=f.category)
            for f in self.get_feeds(user)
        ]
        return write_opml(feeds, title="Tidings subscriptions")


def make_app(settings: Settings, store: Store | None = None) -> Aggregator:
    """Open the store named by the settings and wire the adapters."""
    return Aggregator(settings, store if store is not None else open_store(settings.db_url))


def feed_status(feed: Feed) -> Mapping[str, Any]:
    """A feed's status as plain data (for ``--json`` and the API)."""
    s = feed.state
    return {
        "id": s.id,
        "url": s.url,
        "title": s.title,
        "link": s.link,
        "category": feed.category,
        "entries": s.entry_count,
        "unread": feed.unread,
        "last_fetched": s.last_fetched_at.isoformat() if s.last_fetched_at else None,
        "last_success": s.last_success_at.isoformat() if s.last_success_at else None,
        "last_error": s.last_error,
        "error_count": s.error_count,
        "next_check": s.next_check_at.isoformat() if s.next_check_at else None,
        "disabled": s.disabled,
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as plain data: the ``--json`` contract of ``tidings entries``."""

    def iso(dt: datetime | None) -> str | None:
        return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None

    return {
        "id": entry.id,
        "feed_url": entry.feed_url,
        "feed_title": entry.feed_title,
        "category": entry.category,
        "guid": entry.guid,
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": iso(entry.published),
        "updated": iso(entry.updated),
        "first_seen": iso(entry.first_seen),
        "summary": entry.summary,
        "content": entry.content,
        "categories": list(entry.categories),
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length} for e in entry.enclosures
        ],
        "image": entry.image,
        "comments": entry.comments,
        "read": entry.read,
        "starred": entry.starred,
        # the story (#5)
        "lead": entry.lead,
        "word_count": entry.word_count,
        "reading_minutes": entry.reading_minutes,
        "main_image": entry.main_image,
        "language": entry.language,
        "source": entry.source,
        "section": entry.section,
        "full_text": entry.full_text,
        "tags": list(entry.tags),
        "cluster_id": entry.cluster_id,
        "duplicates": [
            {"id": d.id, "feed_title": d.feed_title, "link": d.link} for d in entry.duplicates
        ],
    }


__all__ = ["Aggregator", "NotFoundError", "entry_json", "feed_status", "make_app"]
