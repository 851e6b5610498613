"""The scheduler loop and the per-feed guard, against a real loopback feed server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from feeds import rss
from feedserver import FeedServer

from schedule.farm import subscribe
from tidings.aggregator import Aggregator, make_app
from tidings.settings import load_settings
from tidings.worker.loop import _delay, run_worker


@pytest.fixture
def agg(db_url: str) -> Iterator[Aggregator]:
    settings = load_settings(
        {"db": db_url, "allow_private_networks": "127.0.0.0/8",
         "refresh_every": 60},
        environ={},
    )
    with make_app(settings) as app:
        yield app

def test_one_feed_is_never_refreshed_twice_at_once(agg: Aggregator, feed_server: FeedServer) -> None:
    (url,) = subscribe(agg, feed_server, 1)

    async def both() -> list[int]:
        first, second = await asyncio.gather(agg.refresh([url]), agg.refresh([url, url]))
        return [len(first.results), len(second.results)]

    counts = asyncio.run(both())
    assert sorted(counts) == [0, 1]  # one of the two refreshes left the feed to the other
    assert feed_server.hits("/f0.xml") == 1
    # once done, the feed can be refreshed again
    assert len(asyncio.run(agg.refresh([url])).results) == 1


def test_the_loop_sleeps_until_the_next_feed_is_due(agg: Aggregator, feed_server: FeedServer) -> None:
    urls = subscribe(agg, feed_server, 2)
    asyncio.run(agg.refresh())  # both are now scheduled far ahead
    soon = datetime.now(UTC) + timedelta(seconds=20)
    agg.store.set_feed_options(agg.store.get_feed_state_by_url(urls[1]).id, next_check_at=soon)
    delay = asyncio.run(_delay(agg))
    assert 1 <= delay <= 20  # until that feed is due, well before refresh_every (60 s)
    agg.store.set_feed_options(
        agg.store.get_feed_state_by_url(urls[1]).id, next_check_at=datetime.now(UTC) - timedelta(hours=1)
    )
    assert asyncio.run(_delay(agg)) == 1  # overdue: the minimum, never a busy loop


def _run_until(agg: Aggregator, done: Callable[[], bool]) -> None:
    """Run the scheduler loop until ``done()`` (checked every 50 ms, at most 10 s)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.create_task(run_worker(agg, stop=stop))
        for _ in range(200):
            if done():
                break
            await asyncio.sleep(0.05)
        stop.set()
        await loop

    asyncio.run(main())


def test_the_loop_wakes_when_the_next_feed_is_due(agg: Aggregator, feed_server: FeedServer) -> None:
    (url,) = subscribe(agg, feed_server, 1)
    asyncio.run(agg.refresh())
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    agg.store.set_feed_options(agg.store.get_feed_state_by_url(url).id, next_check_at=due)
    # refresh_every is 60 s: only sleeping until the due time refreshes it in time
    _run_until(agg, lambda: feed_server.hits("/f0.xml") >= 2)
    assert feed_server.hits("/f0.xml") == 2


def test_a_feed_added_while_the_loop_sleeps_is_fetched_at_once(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    subscribe(agg, feed_server, 1)
    feed_server.set("/new.xml", rss(2, title="New"))
    added = False

    def done() -> bool:
        nonlocal added
        if not added and feed_server.hits("/f0.xml") >= 1:
            asyncio.get_running_loop().call_later(0.3, lambda: asyncio.ensure_future(
                agg.add_feed(agg.user_id(), feed_server.url("/new.xml"), discover=False)))
            added = True
        return feed_server.hits("/new.xml") >= 1

    _run_until(agg, done)
    assert feed_server.hits("/new.xml") == 1


def test_interval_override_is_clamped_and_takes_effect_at_once(agg: Aggregator, feed_server: FeedServer) -> None:
    (url,) = subscribe(agg, feed_server, 1)
    user = agg.user_id()
    asyncio.run(agg.refresh())
    before = agg.store.get_feed_state_by_url(url).next_check_at
    assert before is not None
    feed_id = agg.subscriptions.feed_id_for(user, url)

    def set_interval(seconds: int | None) -> int | None:
        feed = agg.subscriptions.update_subscription(user, feed_id, interval=seconds)
        return feed.state.interval_override

    assert set_interval(10) == agg.settings.min_interval  # clamped
    assert set_interval(10**9) == agg.settings.max_interval
    assert set_interval(900) == 900
    state = agg.store.get_feed_state_by_url(url)
    assert state.interval_override == 900
    assert state.next_check_at is not None
    assert state.next_check_at <= datetime.now(UTC) + timedelta(seconds=900)
    asyncio.run(agg.refresh([url]))
    after = agg.store.get_feed_state_by_url(url).next_check_at
    assert after is not None
    assert abs((after - datetime.now(UTC)).total_seconds() - 900) < 60  # the override is used
    assert set_interval(None) is None
    assert agg.store.get_feed_state_by_url(url).interval_override is None
