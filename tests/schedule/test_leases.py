"""Refreshes claim their feeds with leases in the store (#10), against a loopback server."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from feedserver import FeedServer

from schedule.farm import subscribe
from tidings.aggregator import Aggregator, make_app
from tidings.aggregator.scheduling import CLAIM_WINDOW, Claims
from tidings.model import FeedId, FeedState, FeedUpdate
from tidings.settings import load_settings


@pytest.fixture
def agg(db_url: str) -> Iterator[Aggregator]:
    settings = load_settings(
        {
            "db": db_url,
            "allow_private_networks": "127.0.0.0/8",
            "per_host_concurrency": 2,
        },
        environ={},
    )
    with make_app(settings) as app:
        yield app


def _hold(agg: Aggregator, owner: str, url: str) -> None:
    feed = agg.store.get_feed_state_by_url(url)
    assert agg.store.claim_feeds(owner, [feed.id], now=datetime.now(UTC), lease_seconds=600)


def test_one_pass_refreshes_every_due_feed_a_few_per_host_at_a_time(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    subscribe(agg, feed_server, 10, entries=2)  # one host, per_host_concurrency 2
    starts: list[int] = []
    summary = asyncio.run(agg.refresh(on_start=starts.append))
    assert starts == [10]
    assert len(summary.results) == 10 and summary.ok == 10
    assert all(feed_server.hits(f"/f{i}.xml") == 1 for i in range(10))
    assert agg.store.get_lease_owners(datetime.now(UTC)) == []  # every lease ended


def test_a_feed_another_worker_holds_is_left_to_it(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    urls = subscribe(agg, feed_server, 3, entries=2)
    _hold(agg, "elsewhere:1:ab:1", urls[0])
    assert asyncio.run(agg.refresh([urls[0]])).results == []
    summary = asyncio.run(agg.refresh())
    assert sorted(r.feed_url for r in summary.results) == sorted(urls[1:])
    assert feed_server.hits("/f0.xml") == 0
    assert agg.store.get_lease_owners(datetime.now(UTC)) == ["elsewhere:1:ab:1"]


def test_leases_of_a_dead_process_on_this_machine_are_released(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    urls = subscribe(agg, feed_server, 2, entries=2)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = socket.gethostname()
    _hold(agg, f"{host}:{dead.stdout.strip()}:ab:1", urls[0])
    _hold(agg, f"{host}:{os.getpid()}:cd:1", urls[1])  # alive: kept
    summary = asyncio.run(agg.refresh(all_feeds=True))
    assert [r.feed_url for r in summary.results] == [urls[0]]
    assert feed_server.hits("/f0.xml") == 1 and feed_server.hits("/f1.xml") == 0


def _claim_all_due(
    agg: Aggregator, hosts: int, feeds: int, per_host: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[int], int]:
    """``feeds`` due feeds over ``hosts`` hosts claimed through ``Claims.due_iter``, each
    result (which ends its lease) coming on its own a moment after its claim: (feeds
    each claim gave, the most leases held at once)."""
    now = datetime.now(UTC)
    user = agg.user_id()
    for i in range(feeds):
        agg.store.add_feed(user, f"https://h{i % hosts}.example/{i}", category=None, now=now)
    claimed: list[int] = []
    claim_due = agg.store.claim_due

    def counted(*args: Any, **kwargs: Any) -> list[FeedState]:
        found = claim_due(*args, **kwargs)
        claimed.append(len(found))
        return found

    monkeypatch.setattr(agg.store, "claim_due", counted)
    held = 0

    async def run() -> None:
        nonlocal held
        loop = asyncio.get_running_loop()
        later = loop.time()
        owner = "here:1:ab:1"
        async with Claims(agg.store, owner, clock=lambda: datetime.now(UTC)) as claims:

            def result(feed: FeedId) -> None:
                later = now + timedelta(hours=1)
                update = FeedUpdate(feed, now, later, lease_owner=owner)
                agg.store.apply_refresh(update, [])
                claims.done()

            async for state in claims.due_iter(due_by=datetime.now(UTC), per_host=per_host):
                held = max(held, claims._running)
                later = max(later, loop.time()) + 0.002
                loop.call_at(later, result, state.id)  # one result at a time

    asyncio.run(run())
    return claimed, held


def test_a_pass_claims_again_after_a_share_of_its_results_not_after_each(
    agg: Aggregator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim is a transaction: one a result had been most of what a refresh of 304s
    asked of PostgreSQL (#13). 300 due feeds, no host at its cap: a claim for every
    16 results while the window is full, a few more as its last results come in."""
    claimed, held = _claim_all_due(agg, hosts=300, feeds=300, per_host=4, monkeypatch=monkeypatch)
    assert sum(claimed) == 300 and held == CLAIM_WINDOW
    assert len(claimed) <= 40, claimed


def test_a_host_at_its_cap_gets_each_freed_place_at_once(
    agg: Aggregator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One host, cap 2: each result frees a place, claimed when it comes (not after a
    share of the window's results), so the host keeps its two fetches."""
    claimed, held = _claim_all_due(agg, hosts=1, feeds=12, per_host=2, monkeypatch=monkeypatch)
    assert claimed[0] == 2 and sum(claimed) == 12 and held == 2
    assert len([n for n in claimed if n]) >= 6, claimed  # a place or two at a time
