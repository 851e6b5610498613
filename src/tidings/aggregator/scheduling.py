"""Scheduling (#4, #10): when the next feed is due, waking the scheduler loops, and
the leases that keep one feed from being refreshed twice at once by any process.

The intervals themselves are computed by ``tidings.core.schedule`` when a refresh
is recorded; this is the facade the CLI, the web app and the scheduler loop use.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from tidings.errors import StorageError
from tidings.model import FeedId, FeedState
from tidings.ports import JobQueue, Store

__all__ = ["Claims", "Scheduling", "new_worker_id", "release_dead_owners"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class Runner(Protocol):
    """Runs a blocking store call off the event loop."""

    def __call__(self, fn: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


LEASE_SECONDS = 600.0  # a claimed feed is its refresh's this long, unless renewed
RENEW_EVERY = 120.0  # how often a running refresh renews its leases
CLAIM_WINDOW = 96  # due feeds one refresh holds at once: the batch's 64 running + 32 writing
# A refresh claims again after a quarter of what it holds has its results, at most
# this many (at least one): a claim is a transaction, and one a result had been most of
# what a worker asked of PostgreSQL in a refresh of 304s (#13); a host at its
# cap still gets each freed place at once (it holds a few feeds: one result).
CLAIM_EVERY = 16


def new_worker_id() -> str:
    """``host:pid:random``: names this process's claims in the shared store."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Claims:
    """One refresh's leases (#10): claimed through the ``JobQueue``, renewed while
    the refresh runs, and those its results did not end released on exit.

    ``owner`` names this claim alone (the worker id and a number), so a refresh
    never ends the leases of another refresh of the same process.
    """

    def __init__(
        self,
        jobs: JobQueue,
        owner: str,
        *,
        clock: Callable[[], datetime],
        run: Runner = asyncio.to_thread,
    ) -> None:
        self.jobs = jobs
        self.run = run  # runs a store call off the event loop
        self.owner = owner
        self.clock = clock
        self._running = 0  # claimed, result not yet in
        self._since_claim = 0  # results since the last claim
        self._claim_after = 0  # results the next claim waits for (``CLAIM_EVERY``)
        self._finished = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Claims:
        self._renewer = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        await self.run(self.jobs.release_leases, self.owner)

    async def claim_all(self) -> list[FeedState]:
        """Every followed feed, less those another refresh holds."""
        states = await self.run(
            partial(self.jobs.claim_all, self.owner, now=self.clock(), lease_seconds=LEASE_SECONDS)
        )
        self._running += len(states)
        return states

    async def claim_feeds(self, feed_ids: Sequence[FeedId]) -> list[FeedState]:
        """These feeds, less those another refresh holds."""
        states = await self.run(
            partial(
                self.jobs.claim_feeds,
                self.owner,
                feed_ids,
                now=self.clock(),
                lease_seconds=LEASE_SECONDS,
            )
        )
        self._running += len(states)
        return states

    async def due_iter(self, *, due_by: datetime, per_host: int) -> AsyncIterator[FeedState]:
        """The feeds due by ``due_by``, claimed as the per-host cap allows: after each
        claim, wait for results of this refresh (``CLAIM_EVERY``) and claim again;
        end when nothing more can be claimed and every claimed feed has its result."""
        while True:
            self._finished.clear()
            room = CLAIM_WINDOW - self._running
            if room > 0 and (self._running == 0 or self._since_claim >= self._claim_after):
                states = await self.run(
                    partial(
                        self.jobs.claim_due,
                        self.owner,
                        now=self.clock(),
                        due_by=due_by,
                        limit=room,
                        lease_seconds=LEASE_SECONDS,
                        per_host=per_host,
                    )
                )
                self._running += len(states)
                self._since_claim = 0
                self._claim_after = max(1, min(CLAIM_EVERY, self._running // 4))
                for state in states:
                    yield state
            if self._running == 0:
                return
            await self._finished.wait()

    def done(self) -> None:
        """One claimed feed has its result (which ended its lease)."""
        self._running -= 1
        self._since_claim += 1
        self._finished.set()

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await self.run(
                    partial(
                        self.jobs.renew_leases,
                        self.owner,
                        now=self.clock(),
                        lease_seconds=LEASE_SECONDS,
                    )
                )
            except StorageError as exc:  # the next renewal may succeed; the lease is long
                log.warning("cannot renew the leases of %s: %s", self.owner, exc)


def release_dead_owners(
    jobs: JobQueue, now: datetime, *, worker_id: str = "", running: Collection[str] = ()
) -> int:
    """End the leases of claims made on this machine by processes that are gone
    (a killed ``tidings refresh`` or worker), so a restart need not wait for them
    to expire. With ``worker_id`` (this process's), also those of this process's
    own claims that ended without ending them (the store was away when they
    ended), all but the ``running`` ones (a live collection: a claim is in it
    before it claims). Returns how many leases ended."""
    here = socket.gethostname()
    released = 0
    for owner in jobs.get_lease_owners(now):
        if worker_id and owner.startswith(f"{worker_id}:"):
            if owner not in running:
                released += jobs.release_leases(owner)
            continue
        parts = owner.rsplit(":", 3)  # host:pid:random:claim
        mine = len(parts) == 4 and parts[0] == here and parts[1].isdigit()
        if mine and not _alive(int(parts[1])):
            released += jobs.release_leases(owner)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process (EPERM): alive
        return True
    return True


class Scheduling:
    """The next due time and the scheduler's wake-ups (``agg.scheduling``); interval
    overrides are set through ``agg.subscriptions`` (#10)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._lock = threading.Lock()

    def waker(self) -> asyncio.Event:
        """An event (of the running loop) set whenever the schedule changes in this process."""
        event = asyncio.Event()
        with self._lock:
            self._wakers.append((asyncio.get_running_loop(), event))
        return event

    def forget(self, event: asyncio.Event) -> None:
        with self._lock:
            self._wakers = [(loop, e) for loop, e in self._wakers if e is not event]

    def wake(self) -> None:
        """Tell sleeping scheduler loops to look again (a feed added or rescheduled)."""
        with self._lock:
            wakers = list(self._wakers)
        for loop, event in wakers:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(event.set)

    def request_refresh(self, feed_ids: Sequence[FeedId] = ()) -> None:
        """Make these feeds due now and wake every worker that listens, in this
        process or another (#13): a reader's "refresh now" goes through the same
        queue as every refresh, so a stateless web server fetches nothing itself
        and the per-host limit holds. With no ids: only "look now" (new feeds)."""
        self.store.request_refresh(feed_ids, now=datetime.now(UTC))
        self.wake()

    def listen(self) -> Callable[[], None] | None:
        """Wake this process's scheduler loops on any process's refresh request;
        the function that stops listening (None: the engine cannot tell)."""
        return self.store.listen_for_requests(self.wake)

    def next_check_at(self) -> datetime | None:
        """When the earliest followed feed is next due (None: no feeds)."""
        return self.store.get_next_check_at()
