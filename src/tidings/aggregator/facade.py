"""The ``Aggregator`` facade: the one object the CLI, the web app and the APIs call.

It names no adapter: ``tidings.aggregator.wiring.make_app`` builds it with the
store, the fetcher factory and the writer. Store reads are plain methods (the
web runs them in its thread pool); anything that touches the network is ``async``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tidings.aggregator.accounts import Accounts
from tidings.aggregator.icons import Icons
from tidings.aggregator.media import MediaProxy
from tidings.aggregator.publishing import Publishing
from tidings.aggregator.reading import Reading
from tidings.aggregator.retention import Cleanup
from tidings.aggregator.rules import Stories
from tidings.aggregator.scheduling import Claims, Scheduling, new_worker_id, release_dead_owners
from tidings.aggregator.searches import SavedSearches
from tidings.aggregator.subscriptions import Subscriptions
from tidings.aggregator.sync import Sync
from tidings.aggregator.websub import Poster, WebSub
from tidings.content.story import with_search_text
from tidings.core import schedule
from tidings.core.urls import check_url
from tidings.errors import (
    DiscoveryError,
    NotFoundError,
    ParseError,
    SubscriptionLimitError,
    TidingsError,
)
from tidings.model import (
    BatchSummary,
    Entry,
    EntryFilter,
    EntryId,
    EntryUpdate,
    Feed,
    FeedData,
    FeedState,
    FeedUpdate,
    Fetched,
    FetchError,
    FullTextMode,
    RefreshResult,
    UserId,
)
from tidings.parser import parse_feed
from tidings.parser.discovery import FeedLink, find_feed_candidates
from tidings.parser.opml import OpmlFeed, parse_opml, write_opml
from tidings.ports import Fetcher, IconFetcher, Notifier, Store
from tidings.refresh.batch import refresh_feeds
from tidings.refresh.enrich import Enricher
from tidings.refresh.pipeline import Deps
from tidings.refresh.pool import Processors
from tidings.settings import Settings

if TYPE_CHECKING:
    from tidings.content.story import StoryJob

__all__ = ["DEFAULT_USER", "Aggregator", "NotFoundError", "Writer"]

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_USER = "admin"
POOL_THRESHOLD = 8  # below this many feeds, parsing inline beats starting processes
MAX_DISCOVERY_CANDIDATES = 5
# An import's first IMPORT_BURST new feeds are due at once (a small OPML file is
# fetched by the next refresh); the rest fall due across IMPORT_SPREAD (#11).
IMPORT_BURST = 100
IMPORT_SPREAD = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


class HttpClient(Fetcher, Poster, IconFetcher, Protocol):
    """What the facade asks of outbound HTTP: feeds, pages, WebSub form posts, icons."""


class Writer(Protocol):
    """Writes refreshes (``Store.apply_refreshes`` in groups, on one thread)."""

    def apply(self, update: FeedUpdate, entries: Sequence[EntryUpdate] = ()) -> Awaitable[None]: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Discovery:
    """The feed found at an address, and every feed the page named (none when the
    address was a feed itself): their URLs (``candidates``) and, in the same
    order, what the page says of them (``links``: title and kind, #15)."""

    url: str
    data: FeedData
    candidates: tuple[str, ...]
    links: tuple[FeedLink, ...] = ()


class Aggregator:
    """The facade: subscriptions, refresh, reading, OPML."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        new_fetcher: Callable[[], HttpClient],
        writer: Writer,
        processors: Processors,
        notifiers: Sequence[Notifier] = (),
    ) -> None:
        self.settings = settings
        self.store = store
        self.new_fetcher = new_fetcher
        self.accounts = Accounts(store)  # users, passwords, sessions (#6)
        self.reading = Reading(store, settings)  # sidebar, search, bulk marks (#6)
        self.stories = Stories(store)  # filter rules, extraction options (#5)
        self.searches = SavedSearches(store)  # saved searches (#15)
        self.sync = Sync(store)  # what the Fever and Google Reader APIs read (#12)
        self.scheduling = Scheduling(store)  # next due, wake-ups (#4)
        self.subscriptions = Subscriptions(store, settings, self.scheduling)  # settings (#10)
        self.worker_id = new_worker_id()  # names this process's leases (#10)
        self._claims = itertools.count(1)
        self._running: set[str] = set()  # the owners of this process's open claims
        self.websub = WebSub(  # hub subscriptions and pushes (#4)
            store,
            settings,
            new_fetcher=self.new_fetcher,
            new_poster=self.new_fetcher,
            refresh=lambda url, fetcher: self.refresh([url], fetcher=fetcher),
        )
        self.icons = Icons(store, new_fetcher=self.new_fetcher)  # feed icons (#12)
        # feeds out, private and public; WebSub publish pings (#14)
        self.publishing = Publishing(store, settings, new_poster=self.new_fetcher)
        self.media = MediaProxy(store, settings, new_fetcher=self.new_fetcher)  # images (#15)
        self.cleanup = Cleanup(store, settings, owner=self.worker_id)  # retention (#15)
        self.limits = schedule.Limits(settings.min_interval, settings.max_interval)
        self._processors = processors
        self._writer = writer  # every refresh write; commits in groups
        self._notifiers = tuple(notifiers)  # told of each committed refresh
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
            prepare=with_search_text,
        )

    async def _read(self, fn: Callable[..., T], /, *args: Any) -> T:
        """A blocking store read on a reader thread (WAL: it never waits for the writer)."""
        return await asyncio.get_running_loop().run_in_executor(self._readers, fn, *args)

    # users

    def user_id(self, name: str = DEFAULT_USER) -> UserId:
        """The id of the user called ``name``; ``NotFoundError`` if there is none.

        Only on a database without users is one made: the default CLI user, an
        admin, so that a newcomer's first ``tidings add`` just works.
        """
        users = self.store.get_users()
        found = next((u.id for u in users if u.name == name), None)
        if found is not None:
            return found
        if not users and name == DEFAULT_USER:
            return self.store.ensure_user(name, is_admin=True)
        raise NotFoundError(f"no user {name!r}")

    # subscriptions

    async def discover(self, url: str) -> tuple[str, FeedData]:
        """Find the feed at ``url``: the URL itself, or a feed a site page links to."""
        found = await self.discover_feeds(url)
        return found.url, found.data

    async def discover_feeds(
        self, url: str, *, pick: int | None = None, choice: str | None = None
    ) -> Discovery:
        """The feed at ``url``, or the feeds a site page names: the first that parses,
        the ``pick``-th (from 1) of them, or the one whose URL is ``choice`` (#15: the
        web's pick, found again on the page; a URL the page does not name is never
        fetched); ``DiscoveryError`` if there is none."""
        if pick is not None and choice is not None:
            raise ValueError("pick or choice, not both")
        url = check_url(url)
        fetcher = self.new_fetcher()
        try:
            page = await fetcher.fetch(url)
            if isinstance(page, FetchError):
                raise DiscoveryError(f"{url}: {page.message}")
            assert isinstance(page, Fetched)
            try:
                data = self._parse(page)
            except ParseError:
                pass
            else:
                if choice is not None:
                    raise DiscoveryError(f"{url} is a feed itself now: subscribe to it")
                return Discovery(page.permanent_redirect or url, data, ())
            links = tuple(find_feed_candidates(page.body, page.url)[:MAX_DISCOVERY_CANDIDATES])
            candidates = tuple(link.url for link in links)
            tried = _chosen(url, candidates, pick, choice)
            for candidate in tried:
                found = await fetcher.fetch(check_url(candidate))
                if isinstance(found, Fetched):
                    try:
                        data = self._parse(found)
                    except ParseError:
                        continue
                    return Discovery(found.permanent_redirect or candidate, data, candidates, links)
            if pick is not None or choice is not None:
                raise DiscoveryError(f"{tried[0]}: not a feed Tidings can read")
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
        self,
        user: UserId,
        url: str,
        *,
        category: str | None = None,
        discover: bool = True,
        full_text: FullTextMode | None = None,
    ) -> FeedState:
        """Subscribe to a feed (resolving a site address to its feed); it is due at once.

        A feed new to the server gets ``full_text``, or the ``full_text_default`` setting.
        """
        feed_url = (await self.discover(url))[0] if discover else check_url(url)
        followed = self._followed(user)
        if feed_url not in followed:
            self._check_limit(len(followed))
        mode = full_text or FullTextMode(self.settings.full_text_default)
        state = self.store.add_feed(user, feed_url, category=category, now=utcnow(), full_text=mode)
        self.scheduling.request_refresh()  # due now: a listening worker fetches it at once
        return state

    def _followed(self, user: UserId) -> set[str]:
        return {f.state.url for f in self.store.get_feeds(user)}

    def _check_limit(self, count: int) -> None:
        """``SubscriptionLimitError`` when ``count`` feeds are all a user may follow."""
        limit = self.settings.max_subscriptions_per_user
        if count >= limit:
            raise SubscriptionLimitError(
                f"subscription limit reached: a user may follow {limit} feeds "
                "(max_subscriptions_per_user)"
            )

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

        Feeds are claimed with a lease in the store (#10): a feed another refresh
        holds (the scheduler and a reader's "refresh" at once, or another worker
        on the same database) is left to it, never fetched twice at once. Due
        feeds are claimed a few per host at a time (``per_host_concurrency``,
        counting every worker's leases) until none is left.
        ``fetcher`` (closed afterwards) replaces the guarded HTTP fetcher: a
        WebSub push refreshes its feed from the pushed document this way.
        """
        now = utcnow()
        ids = [self.store.get_feed_state_by_url(u).id for u in urls]
        owner = f"{self.worker_id}:{next(self._claims)}"
        self._running.add(owner)  # before it claims: another refresh's release spares it
        try:
            await self._read(self._release_stale_leases, now)
            async with Claims(self.store, owner, clock=utcnow, run=self._read) as claims:
                states: Sequence[FeedState] | AsyncIterator[FeedState]
                if urls or all_feeds:
                    states = await (claims.claim_feeds(ids) if urls else claims.claim_all())
                    count = len(states)
                else:
                    count = self.store.count_due_feeds(now)  # for progress and the pool
                    per_host = self.settings.per_host_concurrency
                    states = claims.due_iter(due_by=now, per_host=per_host)

                def done(result: RefreshResult) -> None:
                    claims.done()
                    if on_result is not None:
                        on_result(result)

                whole = fetcher is None  # a pushed document may be a part of the feed
                fetcher = fetcher or self.new_fetcher()
                summary = await self._refresh(states, count, on_start, done, fetcher, whole)
        finally:
            self._running.discard(owner)
        if summary.new_entries and self.settings.publish_hub:
            await self._ping_hub(now, {r.feed_url for r in summary.results if r.new})
        return summary

    async def _ping_hub(self, since: datetime, feed_urls: set[str]) -> None:
        """Tell the publish hub of public publications with new items (#14); a
        failure is logged and never fails the refresh."""
        try:
            await self.publishing.ping_hub(since, feed_urls)
        except TidingsError as exc:  # the refresh is committed: a ping is best effort
            log.warning("publish ping to %s failed: %s", self.settings.publish_hub, exc)

    def _release_stale_leases(self, now: datetime) -> int:
        """End the leases of dead processes here, and of this process's claims that
        ended while the store was away (their leases would hold the feeds until
        they expire)."""
        return release_dead_owners(self.store, now, worker_id=self.worker_id, running=self._running)

    async def _refresh(
        self,
        states: Sequence[FeedState] | AsyncIterator[FeedState],
        count: int,
        on_start: Callable[[int], None] | None,
        on_result: Callable[[RefreshResult], None] | None,
        fetcher: Fetcher,
        whole: bool = True,
    ) -> BatchSummary:
        if on_start is not None:
            on_start(count)
        use_pool = count >= POOL_THRESHOLD and self._processors.workers > 1
        run_cpu = self._processors.call if use_pool else asyncio.to_thread
        enricher = Enricher(self.store, fetcher, run_store=self._read, run_cpu=run_cpu)
        deps = Deps(
            fetcher=fetcher,
            # the parse and the story step in one call: a worker process in a big
            # refresh (the entries cross processes once; #4), a thread otherwise
            process=self._processors.pooled if use_pool else self._processors.threaded,
            hashes=lambda feed_id: self._read(self.store.get_entry_hashes, feed_id),
            record=self._writer.apply,
            limits=self.limits,
            story=self._story_job,
            enrich=enricher,
            max_entries=self.settings.max_entries_per_fetch,
            notifiers=self._notifiers,
            clock=utcnow,
            forget_absent=whole,
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
        """Subscribe to the feeds of an OPML document; fetching is left to the scheduler.

        Returns the number newly followed and the problems found: bad URLs, and the feeds
        past the user's ``max_subscriptions_per_user`` are skipped. Past the first
        ``IMPORT_BURST``, the new feeds fall due spread over ``IMPORT_SPREAD`` (#11).
        """
        items = parse_opml(data)
        followed = self._followed(user)
        mode = FullTextMode(self.settings.full_text_default)
        added, problems = 0, []
        start = utcnow()
        later = min(len(items), self.settings.max_subscriptions_per_user) - IMPORT_BURST
        step = IMPORT_SPREAD / max(1, later)
        for item in items:
            try:
                url = check_url(item.url)
            except ValueError as exc:
                problems.append(f"{item.url}: {exc}")
                continue
            new = url not in followed
            if new:
                try:
                    self._check_limit(len(followed))
                except SubscriptionLimitError as exc:
                    problems.append(f"{url}: {exc}")
                    continue
            now = utcnow()
            due = start + step * max(0, added - IMPORT_BURST)
            self.store.add_feed(  # a feed already followed: only its folder may change
                user, url, category=item.category, now=now, full_text=mode, due_at=due
            )
            if new:
                followed.add(url)
                added += 1
        self.scheduling.request_refresh()  # the first are due now
        return added, problems

    def export_opml(self, user: UserId) -> bytes:
        feeds = [
            OpmlFeed(
                url=f.state.url, title=f.state.title, category=f.category, html_url=f.state.link
            )
            for f in self.get_feeds(user)
        ]
        return write_opml(feeds, title="Tidings subscriptions")


def _chosen(
    url: str, candidates: tuple[str, ...], pick: int | None, choice: str | None
) -> list[str]:
    """The candidates discovery tries, in order: the picked or chosen one, or all."""
    if choice is not None:
        if choice not in candidates:
            raise DiscoveryError(f"{choice} is not one of the feeds {url} names")
        return [choice]
    if pick is not None and not 1 <= pick <= len(candidates):
        raise DiscoveryError(
            f"{url} names {len(candidates)} feed(s): pick 1 to {len(candidates)}"
            if candidates
            else f"no feed found at {url}"
        )
    return [candidates[pick - 1]] if pick is not None else list(candidates)
