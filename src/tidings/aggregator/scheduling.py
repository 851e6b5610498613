"""Scheduling (#4): when the next feed is due, waking the scheduler loops, and the
guard that keeps one feed from being refreshed twice at once in this process.

The intervals themselves are computed by ``tidings.core.schedule`` when a refresh
is recorded; this is the facade the CLI, the web app and the scheduler loop use.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable
from datetime import datetime

from tidings.model import FeedId, FeedState
from tidings.ports import Store
from tidings.settings import Settings

__all__ = ["InFlight", "Scheduling"]


class InFlight:
    """The feeds being refreshed in this process (the scheduler loop, a reader's
    "refresh now", an OPML import's first fetch may overlap)."""

    def __init__(self) -> None:
        self._ids: set[FeedId] = set()
        self._lock = threading.Lock()

    def claim(self, states: Iterable[FeedState]) -> list[FeedState]:
        """The feeds of ``states`` nobody is refreshing, now marked as being refreshed."""
        claimed = []
        with self._lock:
            for state in states:
                if state.id not in self._ids:
                    self._ids.add(state.id)
                    claimed.append(state)
        return claimed

    def release(self, states: Iterable[FeedState]) -> None:
        with self._lock:
            self._ids.difference_update(s.id for s in states)

    def __contains__(self, feed_id: object) -> bool:
        with self._lock:
            return feed_id in self._ids


class Scheduling:
    """The next due time and the scheduler's wake-ups (``agg.scheduling``); interval
    overrides are set through ``agg.subscriptions`` (#10)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
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

    def next_check_at(self) -> datetime | None:
        """When the earliest followed feed is next due (None: no feeds)."""
        return self.store.get_next_check_at()
