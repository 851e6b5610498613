"""refresh_feeds keeps fetching while finished feeds wait for the writer, within bounds."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tidings.core.schedule import Limits
from tidings.model import (
    NO_CACHING,
    Caching,
    EntryUpdate,
    FeedId,
    FeedState,
    FeedUpdate,
    Fetched,
    FetchError,
    FetchResult,
    NotModified,
)
from tidings.refresh.batch import refresh_feeds
from tidings.refresh.pipeline import Deps


class Fetcher:
    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        self.fetched.append(url)
        return NotModified(caching)

    async def get_page(self, url: str) -> Fetched | FetchError:
        return FetchError("no pages here")

    async def aclose(self) -> None:
        pass


def _deps(fetcher: Fetcher, committed: asyncio.Event, written: list[FeedId]) -> Deps:
    async def record(update: FeedUpdate, entries: Sequence[EntryUpdate] = ()) -> None:
        await committed.wait()  # the writer is busy with a long group commit
        written.append(update.feed_id)

    async def unused(*args: Any) -> Any:
        raise AssertionError("not used for 304s")

    return Deps(fetcher=fetcher, process=unused, hashes=unused, limits=Limits(), record=record,
                clock=lambda: datetime(2026, 11, 20, tzinfo=UTC))


def _states(n: int) -> list[FeedState]:
    return [FeedState(id=FeedId(i), url=f"https://f{i}.example/") for i in range(n)]


async def _fetched_while_blocked(n: int, concurrency: int, pending: int) -> tuple[int, int]:
    fetcher, committed, written = Fetcher(), asyncio.Event(), list[FeedId]()
    batch = asyncio.create_task(
        refresh_feeds(_deps(fetcher, committed, written), _states(n),
                      concurrency=concurrency, pending_writes=pending)
    )
    for _ in range(50):
        await asyncio.sleep(0)
    blocked = len(fetcher.fetched)
    committed.set()
    summary = await batch
    assert summary.not_modified == n and sorted(written) == list(range(n))
    return blocked, len(fetcher.fetched)


def test_feeds_waiting_for_the_writer_do_not_hold_fetch_slots() -> None:
    blocked, total = asyncio.run(_fetched_while_blocked(n=6, concurrency=2, pending=10))
    assert (blocked, total) == (6, 6)


def test_waiting_writes_are_bounded_too() -> None:
    blocked, total = asyncio.run(_fetched_while_blocked(n=6, concurrency=2, pending=1))
    assert (blocked, total) == (3, 6)  # one waits for the writer, two hold fetch slots
