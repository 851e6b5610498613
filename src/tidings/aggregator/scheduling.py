"""Scheduling (#4): per-feed interval overrides, when the next feed is due, and the
guard that keeps one feed from being refreshed twice at once in this process.

The intervals themselves are computed by ``tidings.core.schedule`` when a refresh
is recorded; this is the facade the CLI, the web app and the scheduler loop use.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tidings.core.schedule import clamp
from tidings.errors import NotFoundError
from tidings.model import Feed, FeedId, FeedState, UserId
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
    """Interval overrides and the next due time (``agg.scheduling``)."""

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

    def get_interval(self, user: UserId, url: str) -> int | None:
        """The feed's interval override in seconds (None: from its posting rate)."""
        return self._subscription(user, url).state.interval_override

    def set_interval(
        self, user: UserId, url: str, seconds: int | None, *, now: datetime | None = None
    ) -> int | None:
        """Check the feed every ``seconds`` (None: back to its posting rate).

        The value is clamped to the server's ``[min_interval, max_interval]``, as
        in the web app. A shorter interval takes effect at once: the next check
        moves forward to at most ``seconds`` from now. Returns the stored value.
        """
        feed = self._subscription(user, url)
        interval = None
        if seconds is not None:
            low, high = self.settings.min_interval, self.settings.max_interval
            interval = int(clamp(seconds, low, high))
        self.store.set_subscription(user, feed.state.id, category=feed.category, interval=interval)
        if interval is not None:
            soonest = (now or datetime.now(UTC)) + timedelta(seconds=interval)
            current = feed.state.next_check_at
            if current is None or current > soonest:
                self.store.set_feed_options(feed.state.id, next_check_at=soonest)
                self.wake()
        return interval

    def _subscription(self, user: UserId, url: str) -> Feed:
        found = _find(self.store.get_feeds(user), url)
        if found is None:
            raise NotFoundError(f"not subscribed: {url}")
        return found


def _find(feeds: Sequence[Feed], url: str) -> Feed | None:
    return next((f for f in feeds if f.state.url == url), None)
