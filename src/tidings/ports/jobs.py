"""Who refreshes which feed when: feeds claimed with a lease (#10, #13).

A claim marks feeds as being refreshed by ``owner`` until the lease expires;
the owner renews its leases while it works, and each feed's result ends that
feed's lease (``Store.apply_refresh`` in the same transaction). An owner names
one claim: the worker's id and a number, so two refreshes of one process never
end each other's leases. A worker that dies keeps its feeds only until the
lease expires (or until a worker on its machine sees its process is gone);
then any worker may claim them. On SQLite the claim is one ``BEGIN IMMEDIATE``
transaction; on PostgreSQL concurrent due claims lock their candidates ``FOR
UPDATE SKIP LOCKED`` and take turns per host (#13), and a claim may pass over a
host another claim is leasing at that moment (the next claim takes it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from tidings.model import FeedId, FeedState


class JobQueue(Protocol):
    def claim_due(
        self,
        owner: str,
        *,
        now: datetime,
        due_by: datetime | None = None,
        limit: int,
        lease_seconds: float,
        per_host: int,
    ) -> list[FeedState]:
        """Lease up to ``limit`` due feeds (followed, not disabled, next check at or
        before ``due_by``, default ``now``) that no live lease holds, so that no host
        has more than ``per_host`` live leases, whoever holds them. Soonest due first."""
        ...

    def claim_feeds(
        self, owner: str, feed_ids: Sequence[FeedId], *, now: datetime, lease_seconds: float
    ) -> list[FeedState]:
        """Lease these feeds whether due or not (``refresh --all``, a named feed, a
        reader's "refresh now", a WebSub push), in the given order without repeats;
        feeds a live lease holds, and feeds that are gone, are left out."""
        ...

    def claim_all(self, owner: str, *, now: datetime, lease_seconds: float) -> list[FeedState]:
        """Lease every followed feed, due or not (``refresh --all``), in id order;
        feeds a live lease holds are left out."""
        ...

    def renew_leases(self, owner: str, *, now: datetime, lease_seconds: float) -> int:
        """Extend every lease ``owner`` still holds to ``now + lease_seconds``;
        returns how many."""
        ...

    def release_leases(self, owner: str) -> int:
        """End every lease ``owner`` still holds (those its results did not end);
        returns how many."""
        ...

    def get_lease_owners(self, now: datetime) -> list[str]:
        """The owners of live leases (to find those of dead local processes)."""
        ...

    def request_refresh(self, feed_ids: Sequence[FeedId], *, now: datetime) -> int:
        """Make these feeds due at ``now`` (a reader's "refresh now", a new feed) and
        tell the workers listening (``listen_for_requests``), in this process or
        another, to look at once; returns how many feeds became due sooner. The
        workers claim them as any due feed, within the per-host limit."""
        ...

    def listen_for_requests(self, on_request: Callable[[], None]) -> Callable[[], None] | None:
        """Call ``on_request`` (from another thread) whenever any process makes a
        ``request_refresh``; returns the function that stops listening, or None
        where the engine cannot tell other processes (SQLite: workers find the
        feeds due at their next pass)."""
        ...
