"""The cleanup of old entries (#15): `tidings cleanup`, and serve/worker once a day.

Which entries go is the store's ``Retention`` rule (``RetentionStore``), from the
settings ``retention_read_days``, ``retention_unread_days`` and
``retention_keep_per_feed``. A run deletes in batches of ``BATCH`` entries, each
its own short transaction with a pause after it, so refreshes and readers' marks
get the SQLite writer between two batches. A run holds the ``cleanup`` lease in
the store (``claim_maintenance``): with several workers on one database (or a
worker and `tidings cleanup` at once) one runs it, and serve/worker start one only
``cleanup_every`` seconds after the last started, whoever started it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tidings.model import CleanupCounts, FeedId, Retention
from tidings.ports import RetentionStore
from tidings.settings import Settings

__all__ = ["BATCH", "Cleanup"]

log = logging.getLogger(__name__)

BATCH = 250  # entries a transaction: ~160 ms each (worst ~300) on a 1M-entry SQLite file
PAUSE = 0.05  # seconds between two batches: other writers go first
LEASE = 3600.0  # seconds a run holds the cleanup (a run that outlives it may meet another)
NAME = "cleanup"


class Cleanup:
    """Counts and deletes the entries the retention settings let go."""

    def __init__(
        self,
        store: RetentionStore,
        settings: Settings,
        owner: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._settings = settings
        self._owner = owner
        self._clock = clock

    @property
    def retention(self) -> Retention:
        s = self._settings
        return Retention(
            read_days=s.retention_read_days,
            unread_days=s.retention_unread_days,
            keep_per_feed=s.retention_keep_per_feed,
        )

    def count(self) -> CleanupCounts:
        """What a run would delete now (deletes nothing)."""
        return self._store.count_expired_entries(self.retention, now=self._clock())

    def run(self, *, halt: Callable[[], bool] = lambda: False) -> CleanupCounts | None:
        """Delete what the settings let go now, unless another run holds the
        cleanup (then None). ``halt`` is asked between batches: True stops there
        (what is left goes next time)."""
        return self._run(every=0, halt=halt)

    def run_due(self, *, halt: Callable[[], bool] = lambda: False) -> CleanupCounts | None:
        """``run``, if ``cleanup_every`` seconds passed since the last run started
        (any process's); None when it was not due, held elsewhere, or turned off."""
        every = self._settings.cleanup_every
        if every <= 0 or self.retention.keeps_everything:
            return None
        return self._run(every=every, halt=halt)

    def _run(self, every: float, halt: Callable[[], bool]) -> CleanupCounts | None:
        now = self._clock()
        store = self._store
        owner = self._owner
        if not store.claim_maintenance(NAME, owner, now=now, every=every, lease_seconds=LEASE):
            return None
        try:
            total = self._batches(now, halt)
        finally:
            store.end_maintenance(NAME, owner)
        if total.entries:
            log.info(
                "cleanup deleted %d entries (%d read), %d story keys; %d guids kept as tombstones",
                total.entries,
                total.read,
                total.story_keys,
                total.tombstones,
            )
        return total

    def _batches(self, now: datetime, halt: Callable[[], bool]) -> CleanupCounts:
        total: CleanupCounts = CleanupCounts()
        at: FeedId | None = None
        retention = self.retention
        while True:
            counts, resume = self._store.delete_expired_entries(
                retention, now=now, limit=BATCH, from_feed=at
            )
            total += counts
            if resume is None or halt():
                return total
            at = resume
            time.sleep(PAUSE)
