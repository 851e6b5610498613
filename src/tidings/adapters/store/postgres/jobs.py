"""The due claim on PostgreSQL (#13): ``FOR UPDATE SKIP LOCKED`` and per-host locks.

Concurrent workers claim at once; none waits for another's claim. A claim is
one transaction and one call of the server-side function ``claim_due_feeds``
(migration 0019), which works window by window (1.5 times the room left in
the batch, soonest due first, from migration 0011's partial indexes; expired
leases from 0019's ``feeds_lease_ends``) until the batch is full or nothing
due is left:

1. **candidates**: due, enabled feeds no live lease holds, locked
   ``FOR UPDATE SKIP LOCKED``, so concurrent claims see disjoint candidates;
   then, of those, the followed ones (a live subscription: looked up for the
   rows this claim locked, not for every row it passes over because another
   claim holds it) have their host try-locked (``pg_try_advisory_xact_lock``):
   the claims that lease a host's feeds take turns, and a host another claim
   holds is passed over, not waited for;
2. **live leases** of the hosts this claim holds, counted in a new statement
   (READ COMMITTED: it sees every claim of those hosts that committed before
   this one took their locks, and no other can commit one until this ends),
   and of each host's candidates, soonest first, at most ``per_host`` minus
   its live leases, within the room left;
3. **the lease**, checked again in the ``UPDATE``, whose rows come back.

Exact: a feed's row lock keeps two claims from leasing it at once, the lease
re-check keeps a committed lease from being taken; a host's lock and a count
made under it keep its live leases within ``per_host`` (results only end
leases, so a result committing meanwhile only leaves more room). The hosts
found full or taken are left out of the next window (their rows are not
locked again), so a host with thousands of due feeds costs a claim one window,
not thousands of row locks (its index entries are still read past). A claim
may pass over feeds the cap would allow, of hosts or rows another claim holds
at that moment: the next claim takes them. A feed only formerly followed is
locked with its window and never leased.

Why a function (docs/benchmarks.md, "Claiming due feeds"): sent from here,
the same steps cost three round trips per window, each statement parsed and
planned again (the engine binds parameters on the client), and the client's
share of a claim of 100 feeds was 1.3-2.2 ms of CPU more; in plpgsql the session
keeps the statements' plans. Named and ``--all`` claims keep the shared SQL
under the dialect's ``claim_lock``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tidings.adapters.store.sql.jobs import CLAIMED, SqlJobs
from tidings.adapters.store.sql.rows import feed_state_from_row, to_ts
from tidings.model import FeedState

#: the first key of a host's ``pg_advisory_xact_lock(int, int)`` (the second:
#: ``hashtext(host)``; two hosts that share a hash share a lock, which only
#: makes their claims take turns)
HOST_LOCK = 1668047208
#: candidates per window, as a multiple of the room left in the claim
WINDOW_FACTOR = 1.5

CLAIM_DUE = f"""
SELECT {CLAIMED} FROM claim_due_feeds(
    CAST(:owner AS text), CAST(:now AS bigint), CAST(:due_by AS bigint), CAST(:until AS bigint),
    CAST(:limit AS integer), CAST(:per_host AS integer), CAST(:host_lock AS integer),
    CAST(:window_factor AS double precision))
"""


class PostgresJobs(SqlJobs):
    """``claim_due`` without a global lock; the other ``JobQueue`` methods are shared."""

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
        if limit < 1 or per_host < 1:
            return []
        params: dict[str, object] = {
            "owner": owner,
            "now": to_ts(now),
            "due_by": to_ts(due_by or now),
            "until": to_ts(now + timedelta(seconds=lease_seconds)),
            "limit": limit,
            "per_host": per_host,
            "host_lock": HOST_LOCK,
            "window_factor": WINDOW_FACTOR,
        }
        with self._write() as conn:
            rows = conn.execute(CLAIM_DUE, params).fetchall()
        claimed = [feed_state_from_row(r) for r in rows]
        return sorted(claimed, key=lambda s: (s.next_check_at or now, s.id))  # soonest due first
