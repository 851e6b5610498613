"""Clustering with concurrent writers (#13): two workers writing copies of one story
at the same moment still put them in one cluster. Needs TEST_DATABASE_URL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from story.pages import paragraphs

from tidings.adapters.store.postgres import PostgresStore
from tidings.content.story import FeedInfo, build_update
from tidings.model import EntryData, EntryFilter, EntryUpdate, FeedId, FeedUpdate, FullTextMode

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)




def _write(store: PostgresStore, feed_id: FeedId, guid: str, body: list[str]) -> None:
    data = EntryData(
        id=guid, title="Harbour", link=f"https://{guid}.example/s", content="".join(body)
    )
    story = build_update(
        EntryUpdate(data, "h", is_new=True), FeedInfo(id=feed_id, mode=FullTextMode.NEVER), None, ()
    )
    store.apply_refresh(
        FeedUpdate(feed_id=feed_id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=1)),
        [story],
    )


def _lock_waits(url: str) -> int:
    """How many backends wait for a lock (the second writer, once it waits its turn)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_copies_written_at_the_same_moment_end_in_one_cluster(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg_url
    one, two = PostgresStore(url), PostgresStore(url)  # two workers' stores
    keys_written, release = threading.Event(), threading.Event()
    store_keys = one._store_keys

    def slow_commit(*args: Any) -> None:
        # the first writer stops with its copy clustered and its story keys
        # inserted but not committed, as a slow commit would
        store_keys(*args)
        keys_written.set()
        release.wait(10)

    monkeypatch.setattr(one, "_store_keys", slow_commit)
    try:
        user = one.ensure_user("u")
        a = one.add_feed(user, "https://a.example/feed", category=None, now=NOW).id
        b = one.add_feed(user, "https://b.example/feed", category=None, now=NOW).id
        body = [f"<p>{p}</p>" for p in paragraphs(0)]
        first = threading.Thread(target=_write, args=(one, a, "a1", body))
        first.start()
        assert keys_written.wait(10)
        second = threading.Thread(target=_write, args=(two, b, "b1", body))
        second.start()
        deadline = time.monotonic() + 10  # it finishes (the race) or waits its turn
        while second.is_alive() and not _lock_waits(url) and time.monotonic() < deadline:
            time.sleep(0.02)
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT id, cluster_id FROM entries ORDER BY id").fetchall()
        assert len(rows) == 2
        assert len({cluster for _, cluster in rows}) == 1, rows  # one story, listed once
        assert len(one.get_entries(user, EntryFilter())) == 1
    finally:
        one.close()
        two.close()
