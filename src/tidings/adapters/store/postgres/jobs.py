"""The due claim on PostgreSQL (#13): ``FOR UPDATE SKIP LOCKED`` and per-host locks.

Concurrent workers claim at once; none waits for another's claim. A claim is
one transaction, window by window (1.5 times the room left in the batch,
soonest due first, from migration 0011's partial indexes) until the batch is
full or nothing due is left:

1. **candidates**: due, followed, enabled feeds no live lease holds, locked
   ``FOR UPDATE SKIP LOCKED``, so concurrent claims see disjoint candidates;
   with them, each candidate's host is try-locked
   (``pg_try_advisory_xact_lock``): the claims that lease a host's feeds take
   turns, and a host another claim holds is passed over, not waited for;
2. **live leases** of the hosts this claim holds, counted in a new statement
   (READ COMMITTED: it sees every claim of those hosts that committed before
   this one took their locks, and no other can commit one until this ends);
3. **the lease**: per host, at most ``per_host`` minus its live leases of the
   candidates, soonest first, with the lease checked again in the ``UPDATE``.

Exact: a feed's row lock keeps two claims from leasing it at once, the lease
re-check keeps a committed lease from being taken; a host's lock and a count
made under it keep its live leases within ``per_host`` (results only end
leases, so a result committing meanwhile only leaves more room). The hosts
found full or taken are left out of the next window (their rows are not
locked again), so a host with thousands of due feeds costs a claim one window,
not thousands of row locks (its index entries are still read past). A claim
may pass over feeds the cap would allow, of hosts or rows another claim holds
at that moment: the next claim takes them. Named and ``--all`` claims keep the shared SQL under
the dialect's ``claim_lock``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from tidings.adapters.store.sql.db import Conn, Row
from tidings.adapters.store.sql.jobs import CLAIMED, SqlJobs
from tidings.adapters.store.sql.rows import feed_state_from_row, to_ts
from tidings.model import FeedState

#: the first key of a host's ``pg_advisory_xact_lock(int, int)`` (the second:
#: ``hashtext(host)``; two hosts that share a hash share a lock, which only
#: makes their claims take turns)
HOST_LOCK = 1668047208
#: candidates per window, as a multiple of the room left in the claim
WINDOW_FACTOR = 1.5

# One branch per kind of candidate, each in (next_check_at, id) order from its
# own partial index: feeds no lease holds (feeds_due_free: a claim's UPDATE
# leaves it, so its head is not rewritten by every claim) and expired leases
# (feeds_host_leases, the few leased rows).
_BRANCH = """
    SELECT f.id, f.host, f.next_check_at FROM feeds f
    WHERE f.disabled = 0 AND {lease}
      AND f.next_check_at <= :due_by AND (f.next_check_at, f.id) > (:after_at, :after_id)
      AND f.host <> ALL (CAST(:skip AS text[]))
      AND EXISTS (
          SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
    ORDER BY f.next_check_at, f.id
    LIMIT :window
    FOR UPDATE OF f SKIP LOCKED
"""

FREE = _BRANCH.format(lease="f.lease_owner IS NULL")
EXPIRED = _BRANCH.format(lease="f.lease_owner IS NOT NULL AND f.lease_until <= :now")

CANDIDATES = f"""
SELECT c.id, c.host, c.next_check_at,
       pg_try_advisory_xact_lock(:host_lock, hashtext(c.host)) AS mine
FROM (
    SELECT * FROM ({FREE}) AS free
    UNION ALL
    SELECT * FROM ({EXPIRED}) AS expired
    ORDER BY next_check_at, id
    LIMIT :window
) c
ORDER BY c.next_check_at, c.id
"""

LIVE_LEASES = """
SELECT h.host, (
    SELECT COUNT(*) FROM feeds f
    WHERE f.host = h.host AND f.lease_owner IS NOT NULL AND f.lease_until > :now
) AS n
FROM unnest(CAST(:hosts AS text[])) AS h (host)
"""

LEASE = f"""
UPDATE feeds SET lease_owner = :owner, lease_until = :until
WHERE id = ANY (CAST(:ids AS bigint[])) AND (lease_owner IS NULL OR lease_until <= :now)
RETURNING {CLAIMED}
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
        params: dict[str, object] = {
            "owner": owner,
            "now": to_ts(now),
            "due_by": to_ts(due_by or now),
            "until": to_ts(now + timedelta(seconds=lease_seconds)),
            "host_lock": HOST_LOCK,
        }
        claimed: list[FeedState] = []
        if limit < 1 or per_host < 1:
            return claimed
        with self._write() as conn:
            skip: set[str] = set()  # hosts full or held by another claim
            after: tuple[int, int] = (-(2**62), 0)  # (next_check_at, id) of the last candidate
            while len(claimed) < limit:
                window = math.ceil((limit - len(claimed)) * WINDOW_FACTOR)
                rows = conn.execute(
                    CANDIDATES,
                    {
                        **params,
                        "window": window,
                        "after_at": after[0],
                        "after_id": after[1],
                        "skip": sorted(skip),
                    },
                ).fetchall()
                if rows:
                    after = (rows[-1]["next_check_at"], rows[-1]["id"])
                    claimed += self._lease(conn, rows, skip, params, per_host, limit - len(claimed))
                if len(rows) < window:
                    break  # nothing due is left past this window
        return sorted(claimed, key=lambda s: (s.next_check_at or now, s.id))  # soonest due first

    @staticmethod
    def _lease(
        conn: Conn,
        rows: list[Row],
        skip: set[str],
        params: dict[str, object],
        per_host: int,
        room: int,
    ) -> list[FeedState]:
        """Lease what the per-host cap allows of one window's candidates (``rows``,
        soonest first); add the hosts now full, or held by another claim, to ``skip``."""
        held = sorted({r["host"] for r in rows if r["mine"]})
        live: dict[str, int] = {
            r["host"]: r["n"] for r in conn.execute(LIVE_LEASES, {**params, "hosts": held})
        }
        picked: list[int] = []
        for r in rows:
            host = r["host"]
            if not r["mine"] or live.get(host, 0) >= per_host:
                skip.add(host)  # another claim is leasing its feeds, or it is full
            elif len(picked) < room:
                live[host] = live.get(host, 0) + 1
                picked.append(r["id"])
        skip.update(host for host in held if live.get(host, 0) >= per_host)
        if not picked:
            return []
        return [feed_state_from_row(r) for r in conn.execute(LEASE, {**params, "ids": picked})]
