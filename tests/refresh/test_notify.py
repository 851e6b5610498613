"""Notifiers hear of each committed refresh, never of one whose write failed (#10)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from feeds import rss
from feedserver import FeedServer

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite.writer import StoreWriter
from tidings.aggregator import Aggregator
from tidings.core.schedule import Limits
from tidings.errors import StorageError
from tidings.model import (
    NO_CACHING,
    Caching,
    EntryUpdate,
    FeedData,
    FeedId,
    FeedState,
    FeedUpdate,
    Fetched,
    FetchError,
    FetchResult,
    NotModified,
    RefreshResult,
)
from tidings.refresh.batch import StorageFailure, refresh_feeds
from tidings.refresh.pipeline import Deps
from tidings.refresh.pool import Processors
from tidings.refresh.process import Processed
from tidings.settings import load_settings

NOW = datetime(2026, 11, 20, tzinfo=UTC)
OK, NOT_MODIFIED, FAILED, UNWRITTEN, CRASHED = (f"https://f{i}.example/" for i in range(5))


class Fetcher:
    """Each feed's answer by URL; ``CRASHED`` raises (a bug, not a fetch error)."""

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        if url == CRASHED:
            raise RuntimeError("bug")
        if url == FAILED:
            return FetchError("boom", status=500)
        if url == OK:
            return Fetched(url, b"<rss/>", "application/rss+xml", NO_CACHING)
        return NotModified(caching)

    async def get_page(self, url: str) -> Fetched | FetchError:
        return FetchError("no pages here")

    async def aclose(self) -> None:
        pass


class Heard:
    """A notifier that notes what it hears, and which feeds were written by then."""

    def __init__(self, written: list[FeedId]) -> None:
        self.written = written
        self.heard: dict[str, tuple[FeedState, RefreshResult]] = {}
        self.committed_first: list[bool] = []

    def feed_refreshed(self, state: FeedState, result: RefreshResult) -> None:
        self.heard[state.url] = (state, result)
        self.committed_first.append(state.id in self.written)


class Raising:
    def feed_refreshed(self, state: FeedState, result: RefreshResult) -> None:
        raise RuntimeError("the webhook queue is full")


STATES = [
    FeedState(id=FeedId(i), url=u)
    for i, u in enumerate([OK, NOT_MODIFIED, FAILED, UNWRITTEN, CRASHED])
]


def _deps(written: list[FeedId], notifiers: Sequence[Any]) -> Deps:
    async def record(update: FeedUpdate, entries: Sequence[EntryUpdate] = ()) -> None:
        await asyncio.sleep(0)
        if update.feed_id == STATES[3].id:
            raise StorageError("database is locked")
        written.append(update.feed_id)

    async def hashes(feed_id: FeedId) -> dict[str, str]:
        return {}

    async def process(*args: Any) -> Processed:
        return Processed(FeedData("rss20", title="T"), (), new=2, changed=1, rate=None, wanted={})

    return Deps(
        fetcher=Fetcher(),
        process=process,
        hashes=hashes,
        record=record,
        limits=Limits(),
        notifiers=notifiers,
        clock=lambda: NOW,
    )


def test_every_committed_refresh_is_heard_once_with_its_result() -> None:
    written: list[FeedId] = []
    heard = Heard(written)
    summary = asyncio.run(refresh_feeds(_deps(written, [heard]), STATES))
    assert (summary.ok, summary.not_modified, summary.failed) == (1, 1, 3)
    assert set(heard.heard) == {OK, NOT_MODIFIED, FAILED, CRASHED}  # not UNWRITTEN
    (unwritten,) = [r for r in summary.results if r.feed_url == UNWRITTEN]
    assert isinstance(unwritten, StorageFailure)
    assert unwritten.error == "storage: database is locked"
    assert heard.heard[OK] == (STATES[0], RefreshResult(OK, "ok", new=2, changed=1))
    assert heard.heard[NOT_MODIFIED][1] == RefreshResult(NOT_MODIFIED, "not_modified")
    assert heard.heard[FAILED][1] == RefreshResult(FAILED, "error", error="boom")
    crashed = heard.heard[CRASHED][1]  # the crash was recorded on the feed: committed
    assert crashed.status == "error" and "internal error" in (crashed.error or "")
    assert heard.committed_first == [True] * 4  # each after its write


def test_a_notifier_that_raises_is_logged_and_stops_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    written: list[FeedId] = []
    heard = Heard(written)
    with caplog.at_level(logging.ERROR, logger="tidings.refresh.batch"):
        summary = asyncio.run(refresh_feeds(_deps(written, [Raising(), heard]), STATES))
    assert len(summary.results) == 5
    assert set(heard.heard) == {OK, NOT_MODIFIED, FAILED, CRASHED}  # the next one still hears
    failed = [r for r in caplog.records if r.getMessage().startswith("notifier ")]
    assert len(failed) == 4 and all(r.exc_info for r in failed)


@pytest.fixture
def agg_heard(db_url: str) -> Iterator[tuple[Aggregator, Heard]]:
    """An Aggregator on SQLite wired as ``make_app`` does, with a notifier."""
    settings = load_settings(
        {"db": db_url, "allow_private_networks": "127.0.0.0/8"},
        environ={},
    )
    store = open_store(settings.db_url)
    heard = Heard([])
    agg = Aggregator(
        settings,
        store,
        new_fetcher=lambda: HttpFetcher(settings),
        writer=StoreWriter(store),
        processors=Processors(1),
        notifiers=[heard],
    )
    with agg:
        yield agg, heard


def test_the_aggregator_tells_its_notifiers_after_the_store_has_the_refresh(
    agg_heard: tuple[Aggregator, Heard], feed_server: FeedServer
) -> None:
    agg, heard = agg_heard
    feed_server.set("/ok.xml", rss(3))
    feed_server.set("/gone.xml", b"no", status=404)
    ok, gone = feed_server.url("/ok.xml"), feed_server.url("/gone.xml")
    user = agg.user_id()
    for url in (ok, gone):
        agg.store.add_feed(user, url, category=None, now=datetime.now(UTC))
    asyncio.run(agg.refresh())
    assert {u: r.status for u, (_, r) in heard.heard.items()} == {ok: "ok", gone: "error"}
    assert heard.heard[ok][1].new == 3
    assert agg.store.get_feed_state_by_url(gone).error_count == 1
    asyncio.run(agg.refresh(all_feeds=True))
    assert heard.heard[ok][1] == RefreshResult(ok, "not_modified")
    assert heard.heard[ok][0].caching.etag is not None  # the state refreshed: as stored
