"""The store's share of a cold refresh: SQLite writes alone, no fetching, no parsing.

    .venv/bin/python benchmarks/writer.py [--n 2000] [--batch 32] [--db postgresql://...]

Generates the refresh benchmark's N feeds (``feedgen.py``), parses them and builds
their stories in this process first (untimed), then times only
``SqliteStore.apply_refreshes`` in groups of ``--batch`` feeds, as the refresh's
writer thread commits them, on a fresh database file:

- **entries**: the entries as parsed (the issue-4 pipeline: entry rows and the
  search index);
- **stories**: the same entries with their stories (issue 5: story columns,
  clustering keys and the cluster choice, rule outcomes).

One SQLite database has one writer, so ms/feed here bounds a cold refresh from
below on this machine, whatever the fetching and parsing around it do: the
table shows the feeds/s that bound allows. ``reader`` writes its entries the
same way (one SQLite file, one writer).

With ``--db postgresql://...`` the same writes go to a throw-away schema of that
database, once more without the story-key locks (#13) to show what they cost, and
the last column is the PostgreSQL server's CPU per feed (its processes on this
machine and that database's backends: ``refresh.ServerCpu``).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedgen import FeedSet
from refresh import ServerCpu

from tidings.adapters.store import open_store
from tidings.adapters.store.sql.store import SqlStore
from tidings.content.story import StoryJob, with_search_text
from tidings.model import EntryUpdate, FeedUpdate, FullTextMode, StoryContext
from tidings.refresh.process import process_document

Work = list[tuple[FeedUpdate, tuple[EntryUpdate, ...]]]


@contextmanager
def database(db: str | None) -> Iterator[tuple[str, Path | None]]:
    """A fresh database: a SQLite file (and its folder), or a PostgreSQL schema."""
    if db is None:
        with tempfile.TemporaryDirectory(prefix="tidings-writer-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'tidings.db'}", Path(tmp)
        return
    from tidings.adapters.store.postgres import create_test_schema, drop_test_schema

    schema = f"bench_writer_{uuid.uuid4().hex[:8]}"
    try:
        yield create_test_schema(db, schema), None
    finally:
        drop_test_schema(db, schema)


def prepare(docs: list[bytes], stories: bool, url: str) -> tuple[Any, Work]:
    """The store (an ``SqlStore``: its dialect can be changed) and the parsed work."""
    store = open_store(url)
    assert isinstance(store, SqlStore)
    now = datetime.now(UTC)
    user = store.ensure_user("bench", is_admin=True)
    for i in range(len(docs)):
        store.add_feed(user, f"http://127.0.0.1/feeds/{i}", category=None, now=now)
    work: Work = []
    for state, doc in zip(store.get_all_feeds(), docs, strict=True):
        job = (
            StoryJob(
                state.id,
                None,
                None,
                FullTextMode.NEVER,
                StoryContext(),
                prepare=with_search_text,
            )
            if stories
            else None
        )
        processed = process_document(doc, state.url, None, {}, 2000, now, job)
        updates = processed.updates if stories else with_search_text(processed.updates)
        update = FeedUpdate(
            feed_id=state.id, fetched_at=now, next_check_at=now + timedelta(hours=1)
        )
        work.append((update, updates))
    return store, work


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--batch", type=int, default=32, help="feeds per commit (the writer's groups)")
    p.add_argument("--db", help="a postgresql:// URL to write to instead of a SQLite file")
    args = p.parse_args()
    feeds = FeedSet(args.n)
    docs = [feeds.render(i, 0) for i in range(args.n)]
    print(f"N={args.n}: {sum(map(len, docs)) / 1e6:.1f} MB of feeds; feeds per commit {args.batch}")
    print("| writes | entries | seconds | ms/feed | feeds/s at most | DB MB | server CPU ms/feed |")
    print("|---|---|---|---|---|---|---|")
    runs = [("entries (#4)", False, True), ("stories (#5)", True, True)]
    if args.db:
        runs.append(("stories, no key locks", True, False))
    for name, stories, key_locks in runs:
        with database(args.db) as (url, folder):
            store, work = prepare(docs, stories, url)
            if not key_locks:
                store.dialect = dataclasses.replace(store.dialect, story_lock="")
            entries = sum(len(u) for _, u in work)
            server = ServerCpu(urlsplit(url).path.lstrip("/")) if args.db else None
            started = time.perf_counter()
            for k in range(0, len(work), args.batch):
                errors = store.apply_refreshes(work[k : k + args.batch])
                assert not any(errors), errors
            seconds = time.perf_counter() - started
            server_ms = server.stop() / args.n * 1000 if server else 0.0
            store.close()
            size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6 if folder else 0.0
        print(
            f"| {name} | {entries:,} | {seconds:.2f} | {seconds / args.n * 1000:.2f} "
            f"| {args.n / seconds:.0f} | {size:.0f} | {server_ms:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
