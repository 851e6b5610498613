"""Due claims racing on PostgreSQL (#13): eight workers, each with its own store
and connection, claim from skewed hosts at once. Needs TEST_DATABASE_URL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from tidings.adapters.store.postgres import PostgresStore
from tidings.core.urls import host_of
from tidings.model import FeedId

from ..contract.samples import NOW

pytestmark = pytest.mark.postgres

CAP = 3
WORKERS = 8




def fill(store: PostgresStore) -> Counter[str]:
    """Three hosts with 40 feeds each, due first; then 60 hosts with 1-3 feeds."""
    user = store.ensure_user("u")
    urls = [f"https://big{i % 3}.example/{i}" for i in range(120)]
    urls += [f"https://s{h}.example/{k}" for h in range(60) for k in range(1 + h % 3)]
    for n, feed_url in enumerate(urls):
        state = store.add_feed(user, feed_url, category=None, now=NOW)
        store.set_feed_options(state.id, next_check_at=NOW - timedelta(hours=2, seconds=-n))
    return Counter(host_of(u) for u in urls)


def race(url: str, round_: int) -> dict[str, list[FeedId]]:
    """Every worker claims (10 at a time) until a claim gets nothing, then one more
    sweeps up; the claims by owner."""
    got: dict[str, list[FeedId]] = {}
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        store = PostgresStore(url, max_size=1)
        try:
            start.wait()
            for k in range(100):
                owner = f"r{round_}w{n}:{k}"
                claimed = store.claim_due(owner, now=NOW, limit=10, lease_seconds=600, per_host=CAP)
                got[owner] = [s.id for s in claimed]
                if not claimed:
                    break
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # what a claim passed over while another held its host: one worker, uncontended
    store = PostgresStore(url, max_size=1)
    for k in range(100):
        claimed = store.claim_due(
            f"r{round_}sweep:{k}", now=NOW, limit=10, lease_seconds=600, per_host=CAP
        )
        got[f"r{round_}sweep:{k}"] = [s.id for s in claimed]
        if not claimed:
            break
    store.close()
    return got


def leases_by_host(store: PostgresStore) -> dict[str, int]:
    rows = store._read(
        "SELECT host, COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL GROUP BY host"
    )
    return {r[0]: r[1] for r in rows}


def test_racing_workers_never_share_a_feed_and_no_host_goes_over_its_cap(pg_url: str) -> None:
    url = pg_url
    store = PostgresStore(url)
    hosts = fill(store)
    full = {host: min(CAP, n) for host, n in hosts.items()}
    got = race(url, 1)
    ids = [i for claimed in got.values() for i in claimed]
    assert len(ids) == len(set(ids))  # no feed twice
    assert leases_by_host(store) == full  # the cap held, and all it allows was claimed
    # half the workers' leases end; the others still count against their hosts
    for owner in [o for o in got if o.startswith(("r1w0:", "r1w1:", "r1w2:", "r1w3:"))]:
        store.release_leases(owner)
    again = race(url, 2)
    ids = [i for claimed in again.values() for i in claimed]
    assert len(ids) == len(set(ids))
    assert leases_by_host(store) == full
    assert store.claim_due("late", now=NOW, limit=10, lease_seconds=600, per_host=CAP) == []
    store.close()
