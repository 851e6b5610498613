"""Who refreshes which feed when: due feeds claimed with a lease (#10, #13).

A claim marks feeds as being refreshed by ``owner`` until the lease expires;
the owner renews the lease while it works and releases each feed with its
result (``Store.apply_refresh`` ends the lease in the same transaction). A
worker that dies loses its feeds only until the lease expires; then any
worker may claim them. On SQLite the claim is one ``BEGIN IMMEDIATE``
transaction; PostgreSQL adds ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tidings.model import FeedId, FeedState


class JobQueue(Protocol):
    def claim_due(
        self, owner: str, *, now: datetime, limit: int, lease_seconds: float, per_host: int
    ) -> list[FeedState]:
        """Lease up to ``limit`` due feeds (followed, not disabled, next check at or
        before ``now``) that no live lease holds, at most ``per_host`` per host
        counting the feeds other owners hold. Soonest due first."""
        ...

    def claim_feeds(
        self, owner: str, feed_ids: Sequence[FeedId], *, now: datetime, lease_seconds: float
    ) -> list[FeedState]:
        """Lease these feeds whether due or not (``refresh --all``, a named feed, a
        reader's "refresh now", a WebSub push); feeds another live lease holds are
        left out."""
        ...

    def renew_leases(
        self, owner: str, feed_ids: Sequence[FeedId], *, now: datetime, lease_seconds: float
    ) -> int:
        """Extend ``owner``'s leases on these feeds; returns how many it still held."""
        ...

    def release_leases(self, owner: str, feed_ids: Sequence[FeedId]) -> None:
        """End ``owner``'s leases on these feeds (those not released by their result)."""
        ...
