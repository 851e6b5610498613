"""The SQLite dialect's planner hints reach the query plan of entry listings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tidings.adapters.store.sql.dialect import POSTGRES, SQLITE, Listing, listing_of
from tidings.adapters.store.sql.reading import entry_where, river_sql
from tidings.adapters.store.sqlite import SqliteStore
from tidings.model import EntryFilter, EntryId, FeedId, UserId


@pytest.mark.parametrize(
    ("f", "listing"),
    [
        (EntryFilter(), Listing.RIVER),
        (EntryFilter(unread=True), Listing.RIVER),
        (EntryFilter(after_id=EntryId(5)), Listing.NEWEST),
        (EntryFilter(feed_id=FeedId(1)), Listing.PLAIN),
        (EntryFilter(starred=True), Listing.PLAIN),
    ],
)
def test_listing_of(f: EntryFilter, listing: Listing) -> None:
    assert listing_of(f) is listing


def _plan(path: Path, f: EntryFilter) -> str:
    where, params = entry_where(UserId(1), f)
    sql = river_sql(SQLITE, f) + where + " ORDER BY e.sort_at DESC, e.id DESC LIMIT :limit"
    with sqlite3.connect(path) as conn:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def test_the_river_walks_its_index_and_new_arrivals_the_newest_rowids(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    SqliteStore(str(path)).close()
    river = _plan(path, EntryFilter())
    assert river.startswith("SCAN e USING INDEX entries_river") and "TEMP B-TREE" not in river
    newest = _plan(path, EntryFilter(after_id=EntryId(10)))
    assert newest.startswith("SEARCH e USING INTEGER PRIMARY KEY (rowid>?)")


def test_postgres_needs_no_hints() -> None:
    for listing in Listing:
        assert POSTGRES.entries_join(listing) == "entries e\nJOIN subscriptions s"
