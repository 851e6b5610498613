"""StoreWriter: refreshes committed in groups, each feed whole, acknowledged after commit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite import SqliteStore
from tidings.adapters.store.sqlite.writer import StoreWriter
from tidings.errors import StorageError
from tidings.model import Caching, EntryData, EntryUpdate, FeedId, FeedUpdate

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    assert isinstance(s, SqliteStore)
    yield s
    s.close()


def _feeds(store: SqliteStore, n: int) -> list[FeedId]:
    user = store.ensure_user("u")
    return [
        store.add_feed(user, f"https://f{i}.example/feed", category=None, now=NOW).id
        for i in range(n)
    ]


def _update(feed_id: FeedId, etag: str) -> FeedUpdate:
    return FeedUpdate(
        feed_id=feed_id,
        fetched_at=NOW,
        next_check_at=NOW + timedelta(hours=1),
        caching=Caching(etag=etag),
    )


def _entries(prefix: str, n: int) -> list[EntryUpdate]:
    return [
        EntryUpdate(
            EntryData(id=f"{prefix}-{i}", title=f"t{i}", content="<p>x</p>"), f"h{i}", is_new=True
        )
        for i in range(n)
    ]


class Counting:
    """Wraps a store, counting apply_refreshes calls and the batch sizes."""

    def __init__(self, store: SqliteStore, gate: threading.Event | None = None) -> None:
        self.store, self.gate, self.batches = store, gate, list[int]()

    def apply_refreshes(
        self, batch: Sequence[tuple[FeedUpdate, Sequence[EntryUpdate]]]
    ) -> list[Any]:
        if self.gate is not None:
            self.gate.wait(10)
        self.batches.append(len(batch))
        return self.store.apply_refreshes(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _etags(store: SqliteStore) -> dict[int, str | None]:
    return {r[0]: r[1] for r in store._read("SELECT id, etag FROM feeds")}


def test_queued_refreshes_share_a_transaction_and_all_land(store: SqliteStore) -> None:
    ids = _feeds(store, 50)
    gate = threading.Event()
    counting = Counting(store, gate)
    writer = StoreWriter(counting, max_feeds=20)  # type: ignore[arg-type]

    async def main() -> None:
        futures = [writer.apply(_update(f, f"v-{f}"), _entries(f"e{f}", 3)) for f in ids]
        await asyncio.sleep(0.05)  # let the first write block on the gate while the rest queue
        gate.set()
        await asyncio.gather(*futures)

    asyncio.run(main())
    writer.close()
    assert sum(counting.batches) == 50
    assert max(counting.batches) == 20  # the group limit holds
    assert len(counting.batches) < 10  # far fewer transactions than feeds
    assert _etags(store) == {f: f"v-{f}" for f in ids}
    assert store._read("SELECT COUNT(*) FROM entries")[0][0] == 150


def test_a_feed_whose_write_fails_is_rolled_back_alone(store: SqliteStore) -> None:
    ids = _feeds(store, 3)
    bad = [EntryUpdate(EntryData(id=None, title="no guid"), "h", is_new=True)]  # type: ignore[arg-type]
    results = store.apply_refreshes(
        [
            (_update(ids[0], "a"), _entries("a", 2)),
            (_update(ids[1], "b"), bad),
            (_update(ids[2], "c"), _entries("c", 2)),
        ]
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StorageError)
    assert _etags(store) == {ids[0]: "a", ids[1]: None, ids[2]: "c"}  # b's validators did not move
    guids = {r[0] for r in store._read("SELECT guid FROM entries")}
    assert guids == {"a-0", "a-1", "c-0", "c-1"}


def test_an_unexpected_error_in_one_feed_does_not_fail_its_group(store: SqliteStore) -> None:
    ids = _feeds(store, 3)
    gate = threading.Event()
    writer = StoreWriter(Counting(store, gate))  # type: ignore[arg-type]
    lone_surrogate = [EntryUpdate(EntryData(id="x", title="\ud800"), "h", is_new=True)]

    async def main() -> list[Any]:
        futures = [
            writer.apply(_update(ids[0], "a"), _entries("a", 1)),
            writer.apply(_update(ids[1], "b"), lone_surrogate),
            writer.apply(_update(ids[2], "c"), _entries("c", 1)),
        ]
        gate.set()
        return await asyncio.gather(*futures, return_exceptions=True)

    results = asyncio.run(main())
    writer.close()
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StorageError)
    assert _etags(store) == {ids[0]: "a", ids[1]: None, ids[2]: "c"}


def test_calls_run_in_order_with_writes(store: SqliteStore) -> None:
    (feed,) = _feeds(store, 1)
    writer = StoreWriter(store)

    async def main() -> dict[str, str]:
        write = writer.apply(_update(feed, "v1"), _entries("e", 2))
        hashes = await writer.call(store.get_entry_hashes, feed)  # queued after the write
        await write
        return hashes

    assert asyncio.run(main()) == {"e-0": "h0", "e-1": "h1"}
    writer.close()


def test_a_failed_transaction_fails_every_feed_of_the_group(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'locked.db'}")
    assert isinstance(store, SqliteStore)
    ids = _feeds(store, 2)
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    writer = StoreWriter(store)

    async def main() -> list[Any]:
        await writer.call(lambda: store._conn().execute("PRAGMA busy_timeout=100"))  # its thread
        return await asyncio.gather(
            *(writer.apply(_update(f, "v")) for f in ids), return_exceptions=True
        )

    try:
        results = asyncio.run(main())
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    writer.close()
    assert all(isinstance(r, StorageError) for r in results)
    assert _etags(store) == {ids[0]: None, ids[1]: None}
    store.close()


@pytest.mark.postgres
def test_a_postgresql_group_stays_within_the_cached_subtransactions(pg_url: str) -> None:
    """Each feed of a group is a savepoint: past 64 in one transaction, PostgreSQL's
    per-backend subtransaction cache overflows, and every reader's snapshot then
    looks subtransactions up in pg_subtrans while the group runs. The writer the
    app is wired with keeps PostgreSQL's groups within 64 feeds."""
    from tidings.aggregator import make_app
    from tidings.settings import load_settings

    engine = open_store(pg_url)
    try:
        ids = _feeds(engine, 150)  # type: ignore[arg-type]
        gate = threading.Event()
        counting = Counting(engine, gate)  # type: ignore[arg-type]
        with make_app(load_settings({"db": pg_url}), store=counting) as agg:  # type: ignore[arg-type]

            async def main() -> None:
                futures = [agg._writer.apply(_update(f, f"v-{f}")) for f in ids]
                await asyncio.sleep(0.05)  # the first group waits while the rest queue
                gate.set()
                await asyncio.gather(*futures)

            asyncio.run(main())
        assert sum(counting.batches) == 150 and max(counting.batches) == 64
    finally:
        engine.close()
