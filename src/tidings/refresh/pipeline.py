"""The refresh pipeline: one feed.

One feed refresh is a straight line::

    state -> fetch (conditional GET) -> parse + normalize + sanitize
          -> dedupe against stored entries -> enrich (full text, clutter, story)
          -> store (one transaction) -> reschedule

The CPU-bound middle (``process_document``) is a pure function of bytes and the
stored hashes, so it can run in a worker process while the event loop keeps
fetching. Failures become a recorded feed status; only unexpected exceptions
propagate, and the batch turns even those into a failed result for that feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from tidings.core import decide, schedule
from tidings.errors import ParseError, WorkerDiedError
from tidings.model import (
    EntryUpdate,
    FeedData,
    FeedId,
    FeedState,
    FeedUpdate,
    FetchError,
    NotModified,
    RefreshResult,
)
from tidings.ports import Fetcher, Notifier
from tidings.refresh.process import Processed, StoryStep


class Processor(Protocol):
    """Runs ``process_document`` off the event loop (a thread, or a worker process)."""

    async def __call__(
        self,
        body: bytes,
        url: str,
        content_type: str | None,
        known: Mapping[str, str],
        max_entries: int,
        now: datetime,
        story: StoryStep | None = None,
        /,
    ) -> Processed: ...


class Enrich(Protocol):
    """The enrich step (``tidings.refresh.enrich.Enricher``): the article pages the
    story step wanted (canonical URL -> link), fetched, and those entries built
    again with them; never raising for a page that cannot be fetched or read."""

    async def __call__(
        self,
        state: FeedState,
        feed: FeedData,
        updates: Sequence[EntryUpdate],
        wanted: Mapping[str, str],
    ) -> tuple[EntryUpdate, ...]: ...


class StoryJobs(Protocol):
    """Makes a feed's ``StoryStep`` (reads its options and rules from the store)."""

    def __call__(self, state: FeedState, /) -> Awaitable[StoryStep]: ...


class Recorder(Protocol):
    """Writes one feed's refresh (``Store.apply_refresh``); resolves once committed.

    ``tidings.adapters.store.sqlite.writer.StoreWriter.apply`` commits many feeds per transaction.
    """

    def __call__(
        self, update: FeedUpdate, entries: Sequence[EntryUpdate] = (), /
    ) -> Awaitable[None]: ...


@dataclass(frozen=True)
class Deps:
    """What one refresh needs from around it.

    ``story`` makes the feed's story step, which ``process`` runs in the same
    call as the parse (in the parsing worker of a big refresh: the entries cross
    processes once); None leaves the stories out (a diagnostic, and tests of the
    fetch-and-store line alone). ``notifiers`` hear of each refresh once its
    write is committed (the batch calls them; ``Notifier``).
    """

    fetcher: Fetcher
    process: Processor
    hashes: Callable[[FeedId], Awaitable[Mapping[str, str]]]  # the feed's stored entry hashes
    record: Recorder
    limits: schedule.Limits
    story: StoryJobs | None = None
    enrich: Enrich | None = None  # None: no article pages fetched
    max_entries: int = 2000
    # a fetched document is the whole feed: deleted entries it no longer carries
    # lose their tombstones (#15); not so a WebSub push, which may be a part of it
    forget_absent: bool = True
    notifiers: Sequence[Notifier] = ()
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


class BatchSlot:
    """One refresh's place in a batch. It fetches, parses and enriches holding a
    *work* slot, then trades it for a *write* slot while the writer commits it, so
    other feeds are fetched and parsed meanwhile (the writer commits in groups:
    waiting for a commit while holding a work slot stalled the pipeline; #4)."""

    def __init__(self, work: asyncio.Semaphore, writes: asyncio.Semaphore) -> None:
        self._work, self._writes = work, writes
        self._working = self._writing = False

    async def __aenter__(self) -> BatchSlot:
        await self._work.acquire()
        self._working = True
        return self

    async def to_writer(self) -> None:
        if self._working:
            await self._writes.acquire()
            self._writing = True
            self._work.release()
            self._working = False

    async def __aexit__(self, *exc_info: object) -> None:
        if self._working:
            self._work.release()
        if self._writing:
            self._writes.release()


async def refresh_feed(
    deps: Deps, state: FeedState, *, slot: BatchSlot | None = None
) -> RefreshResult:
    """Refresh one feed and record the outcome on it."""
    fetched = await deps.fetcher.fetch(state.url, state.caching)
    now = deps.clock()
    if isinstance(fetched, NotModified):
        await record(deps, decide.not_modified(state, fetched, now, deps.limits), slot=slot)
        return RefreshResult(state.url, "not_modified")
    if isinstance(fetched, FetchError):
        return await _fail(deps, state, fetched.message, now, fetched, slot=slot)
    known = await deps.hashes(state.id)  # only when there is news
    story = await deps.story(state) if deps.story is not None else None
    try:
        processed = await deps.process(
            fetched.body, fetched.url, fetched.content_type, known, deps.max_entries, now, story
        )
    except ParseError as exc:
        return await _fail(deps, state, f"parse error: {exc}", now, slot=slot)
    except WorkerDiedError as exc:  # this document killed its worker: this feed alone fails
        return await _fail(deps, state, str(exc), now, slot=slot)
    # A document the parser read only in part (cut short): its entries are kept, the
    # feed's status records the defect, and its validators are not, so the next fetch
    # gets the whole document.
    warning = processed.feed.warning
    if warning is None:
        update = decide.succeeded(state, fetched, processed.feed, now, deps.limits, processed.rate)
        if deps.forget_absent and processed.forgotten:
            update = replace(update, forget=processed.forgotten)
    else:
        update = decide.failed(state, warning, now, deps.limits)
    result = RefreshResult(
        state.url,
        "ok" if warning is None else "error",
        new=processed.new,
        changed=processed.changed,
        error=warning,
    )
    del fetched  # memory: the document goes before the entries wait for enrich and the writer
    updates = processed.updates
    if processed.wanted and deps.enrich is not None:
        updates = await deps.enrich(state, processed.feed, updates, processed.wanted)
    del processed  # and the entries as parsed, once enriched
    await record(deps, update, updates, slot=slot)
    return result


async def record(
    deps: Deps,
    update: FeedUpdate,
    entries: Sequence[EntryUpdate] = (),
    *,
    slot: BatchSlot | None = None,
) -> None:
    if slot is not None:
        await slot.to_writer()
    await deps.record(update, entries)


async def _fail(
    deps: Deps,
    state: FeedState,
    message: str,
    now: datetime,
    result: FetchError | None = None,
    *,
    slot: BatchSlot | None = None,
) -> RefreshResult:
    await record(deps, decide.failed(state, message, now, deps.limits, result), slot=slot)
    return RefreshResult(state.url, "error", error=message)
