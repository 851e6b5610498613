"""The store's single writer thread, committing refreshes in groups.

Every write goes through one thread (SQLite allows one writer at a time, and
a queue in front of it beats threads fighting over ``busy_timeout``). A
refresh (one feed's entries with its validators) is queued by
:meth:`StoreWriter.apply` and acknowledged only once committed. While the
thread commits one group, the next refreshes queue up; it then takes all of
them (up to ``max_feeds`` feeds or ``max_entries`` entries) into **one**
transaction via ``Store.apply_refreshes``. Each feed is still whole or absent
after a crash (the store gives each feed a savepoint inside the transaction),
but a big refresh pays for one commit (and one FTS segment) per group instead
of one per feed. Under light load a group is a single feed, so nothing waits
for a group to fill.

Other blocking store calls (:meth:`StoreWriter.call`) run on the same thread,
in order with the writes.

A refresh is stamped here, as its group is committed: its ``fetched_at`` (the
entries' first-seen, the crawl time sync clients ask for with ``ot``/``before``)
becomes the later of the fetch and the commit. A feed fetched before another but
slowed by full-text extraction or the queue otherwise lands behind a crawl time a
client has already synced past, and a client that asks "crawled since" (Fluent
Reader, Vienna) never sees its entries (clientapis.md §1, rule 10; #12).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from tidings.errors import StorageError
from tidings.model import EntryUpdate, FeedUpdate
from tidings.ports import Store

__all__ = ["StoreWriter"]

log = logging.getLogger(__name__)
T = TypeVar("T")

Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


@dataclass(slots=True)
class _Write:
    update: FeedUpdate
    entries: Sequence[EntryUpdate]
    future: asyncio.Future[None]


@dataclass(slots=True)
class _Call:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]


class StoreWriter:
    """One thread that owns every write to ``store``; awaitable from an event loop."""

    def __init__(
        self,
        store: Store,
        *,
        max_feeds: int = 200,
        max_entries: int = 4000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.clock = clock
        self.max_feeds = max(1, max_feeds)
        self.max_entries = max(1, max_entries)
        self._queue: queue.SimpleQueue[_Write | _Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._held: _Write | _Call | None = None

    def apply(
        self, update: FeedUpdate, entries: Sequence[EntryUpdate] = ()
    ) -> asyncio.Future[None]:
        """Queue one feed's refresh; the future resolves once it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._put(_Write(update, entries, future))
        return future

    def call(self, fn: Callable[..., T], /, *args: Any) -> asyncio.Future[T]:
        """Run ``fn(*args)`` on the writer thread, in order with the queued writes."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Call(fn, args, future))
        return future

    def close(self) -> None:
        """Finish the queued work and stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _put(self, item: _Write | _Call) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tidings-db", daemon=True)
                self._thread.start()
        self._queue.put(item)

    # the thread

    def _run(self) -> None:
        while True:
            item = self._held if self._held is not None else self._queue.get()
            self._held = None
            if item is None:
                return
            if isinstance(item, _Call):
                _settle([_run_call(item)])
            else:
                _settle(self._commit(self._group(item)))

    def _group(self, first: _Write) -> list[_Write]:
        """``first`` and the refreshes queued behind it, up to the group limits."""
        group, entries = [first], len(first.entries)
        while len(group) < self.max_feeds and entries < self.max_entries:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if not isinstance(item, _Write):
                self._held = item  # a call or the stop sign: after this group
                break
            group.append(item)
            entries += len(item.entries)
        return group

    def _commit(self, group: list[_Write]) -> list[Outcome]:
        now = self.clock()  # the crawl time: when written, never before the fetch
        batch = [
            (replace(w.update, fetched_at=max(w.update.fetched_at, now)), w.entries) for w in group
        ]
        try:
            errors = self.store.apply_refreshes(batch)
        except StorageError as exc:  # the transaction itself failed: nothing was written
            return [(w.future, None, exc) for w in group]
        except Exception:
            if len(group) == 1:
                log.exception("refresh write failed")
                return [(group[0].future, None, StorageError("internal error while writing"))]
            # a bug tripped on one feed's data: write the others, each on its own
            return [outcome for w in group for outcome in self._commit([w])]
        return [(w.future, None, error) for w, error in zip(group, errors, strict=True)]


def _run_call(call: _Call) -> Outcome:
    try:
        return (call.future, call.fn(*call.args), None)
    except BaseException as exc:  # like concurrent.futures: the awaiting task gets it
        return (call.future, None, exc)


def _settle(outcomes: list[Outcome]) -> None:
    """Resolve the futures, one wake-up per event loop for the whole group."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_resolve, items)


def _resolve(outcomes: list[Outcome]) -> None:
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
