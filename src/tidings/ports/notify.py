"""After each committed refresh: webhooks, metrics, live updates (``Notifier``)."""

from __future__ import annotations

from typing import Protocol

from tidings.model import FeedState, RefreshResult


class Notifier(Protocol):
    def feed_refreshed(self, state: FeedState, result: RefreshResult) -> None:
        """Called once the refresh of ``state`` is committed (never for a refresh
        whose write failed). Must not block: hand work to a queue."""
        ...
