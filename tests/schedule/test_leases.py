"""Refreshes claim their feeds with leases in the store (#10), against a loopback server."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from feedserver import FeedServer

from schedule.farm import subscribe
from tidings.aggregator import Aggregator, make_app
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
