"""RetentionStore (#15): which old entries the cleanup deletes, what goes with them
(states, search rows, story keys, cluster heads: no orphans), the tombstones that keep
a deleted entry still in its feed from coming back, and the cleanup's lease."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from rawdb import raw_db

from tidings.adapters.store import open_store
from tidings.core.dedupe import DELETED
from tidings.core.search import SearchQuery, Term
from tidings.model import (
    CleanupCounts,
    Entry,
    EntryFilter,
    EntryUpdate,
    FeedState,
    Retention,
    StoryData,
    UserId,
)
from tidings.ports import Store

from .samples import NOW, URL, entry, feed_with_entries, new, ok

DAY = timedelta(days=1)
POLICY = Retention(read_days=60, unread_days=180, keep_per_feed=3)


def _guids(store: Store, user: UserId) -> set[str]:
    return {e.guid for e in store.get_entries(user, EntryFilter(limit=1000))}


def _clean(store: Store, retention: Retention, now: datetime, limit: int = 500) -> CleanupCounts:
    total, at = CleanupCounts(), None
    while True:
        counts, nxt = store.delete_expired_entries(retention, now=now, limit=limit, from_feed=at)
        total += counts
        if nxt is None:
            return total
        at = nxt


def _read(store: Store, user: UserId, *numbers: int) -> None:
    ids = {e.guid: e.id for e in store.get_entries(user, EntryFilter(limit=1000))}
    store.mark_entries_read(user, [ids[f"e{i}"] for i in numbers], read=True, now=NOW)


def test_read_entries_go_after_read_days_unread_after_unread_days_newest_kept(
    store: Store,
) -> None:
    user = store.ensure_user("u")
    feed_with_entries(store, user, n=8)  # e0 newest .. e7
    _read(store, user, 1, 4, 5, 6)
    assert store.count_expired_entries(POLICY, now=NOW + 59 * DAY) == CleanupCounts()
    assert _clean(store, POLICY, NOW + 59 * DAY) == CleanupCounts()

    later = NOW + 61 * DAY
    assert store.count_expired_entries(POLICY, now=later) == CleanupCounts(entries=3, read=3)
    counts = _clean(store, POLICY, later)
    assert (counts.entries, counts.read, counts.search_rows, counts.tombstones) == (3, 3, 3, 3)
    # e1 is read but among the 3 newest; e3, e7 are unread
    assert _guids(store, user) == {"e0", "e1", "e2", "e3", "e7"}
    assert store.get_feeds(user)[0].unread == 4  # the counters follow

    counts = _clean(store, POLICY, NOW + 181 * DAY)
    assert (counts.entries, counts.read) == (2, 0)
    assert _guids(store, user) == {"e0", "e1", "e2"}


def test_zero_days_keeps_for_ever_and_zero_newest_keeps_none(store: Store) -> None:
    user = store.ensure_user("u")
    feed_with_entries(store, user, n=4)
    _read(store, user, 0, 1)
    years = NOW + 3650 * DAY
    assert _clean(store, Retention(0, 0, 0), years) == CleanupCounts()
    assert (
        _clean(store, Retention(read_days=0, unread_days=30, keep_per_feed=0), years).entries == 2
    )
    assert _guids(store, user) == {"e0", "e1"}  # read: kept for ever
    assert (
        _clean(store, Retention(read_days=30, unread_days=0, keep_per_feed=0), years).entries == 2
    )
    assert _guids(store, user) == set()


def test_starred_and_tagged_entries_stay_whoever_marked_them(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feed = feed_with_entries(store, alice, n=6)
    store.add_feed(bob, URL, category=None, now=NOW)
    ids = {e.guid: e.id for e in store.get_entries(alice, EntryFilter(limit=100))}
    store.mark_entry(bob, ids["e3"], starred=True, now=NOW)
    store.set_entry_tag(alice, [ids["e4"]], "keep", tagged=True)
    store.remove_feed(bob, URL)  # a former subscriber's star still counts
    _clean(store, Retention(1, 1, 0), NOW + 400 * DAY)
    assert _guids(store, alice) == {"e3", "e4"}
    assert store.get_entry_hashes(feed.id)["e3"] != DELETED


def test_a_shared_entry_is_read_when_every_subscriber_read_it(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feed_with_entries(store, alice, n=3)
    store.add_feed(bob, URL, category=None, now=NOW)
    _read(store, alice, 0, 1, 2)
    _read(store, bob, 2)
    policy = Retention(read_days=10, unread_days=100, keep_per_feed=0)
    assert store.count_expired_entries(policy, now=NOW + 20 * DAY) == CleanupCounts(1, 1)
    assert _clean(store, policy, NOW + 20 * DAY).entries == 1
    assert _guids(store, alice) == _guids(store, bob) == {"e0", "e1"}  # bob has not read them
    assert _clean(store, policy, NOW + 101 * DAY).entries == 2


def test_batches_are_bounded_and_go_on_from_the_feed_they_stopped_at(store: Store) -> None:
    user = store.ensure_user("u")
    a = feed_with_entries(store, user, n=5)
    b = feed_with_entries(store, user, url="https://y.example/feed", n=4)
    policy = Retention(read_days=1, unread_days=1, keep_per_feed=1)
    later = NOW + 2 * DAY
    counts, nxt = store.delete_expired_entries(policy, now=later, limit=3)
    assert counts.entries == 3 and nxt == a.id
    counts, nxt = store.delete_expired_entries(policy, now=later, limit=3, from_feed=nxt)
    assert counts.entries == 3 and nxt is not None
    counts, nxt = store.delete_expired_entries(policy, now=later, limit=3, from_feed=nxt)
    assert counts.entries == 1 and nxt is None
    assert store.get_feed_state(b.id).id == b.id
    assert _guids(store, user) == {"e0"}  # each feed's newest: one guid, twice
    assert len(store.get_entries(user, EntryFilter(limit=100))) == 2


def _story(url: str) -> StoryData:
    return StoryData(
        lead=None,
        word_count=40,
        reading_minutes=1,
        main_image=None,
        language="en",
        section=None,
        canonical_url=url,
    )


def test_nothing_is_left_behind(store: Store, store_url: str) -> None:
    """States, tags, search rows and index, story keys, clusters: none points at an
    entry that is gone, and search no longer finds it."""
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feeds = []
    for name in ("a", "b", "c"):  # one story in three feeds: a cluster headed by a's copy
        feed = store.add_feed(alice, f"https://{name}.example/feed", category=None, now=NOW)
        store.add_feed(bob, f"https://{name}.example/feed", category=None, now=NOW)
        updates = [
            EntryUpdate(
                entry(i, title=f"Zebra{name} story {i}", link=f"https://news.example/{i}"),
                f"h{i}",
                is_new=True,
                story=_story(f"https://news.example/{i}"),
            )
            for i in range(3)
        ]
        store.apply_refresh(ok(feed.id), updates)
        feeds.append(feed)
    copies = _copies(store, alice, feeds, "e1")
    assert len(copies) == 3 and len({e.cluster_id for e in copies}) == 1
    for user in (alice, bob):
        ids = [e.id for e in store.get_entries(user, EntryFilter(feed_id=feeds[0].id))]
        store.mark_entries_read(user, ids, read=True, now=NOW)
    # a's copies go (read by both, 2 days on: their keys are still in the window)
    counts = _clean(store, Retention(read_days=1, unread_days=0, keep_per_feed=0), NOW + 2 * DAY)
    assert counts.entries == 3 and counts.story_keys > 0
    left = _copies(store, alice, feeds, "e1")
    assert len(left) == 2 and {e.cluster_id for e in left} == {min(e.id for e in left)}
    assert not store.search_entries(alice, SearchQuery(include=(Term("zebraa"),)))
    assert len(store.search_entries(alice, SearchQuery(include=(Term("zebrab"),)))) == 3
    with raw_db(store_url) as db:
        assert _orphans(db) == {}
    assert _clean(store, Retention(0, unread_days=1, keep_per_feed=0), NOW + 2 * DAY).entries == 6
    with raw_db(store_url) as db:
        assert _orphans(db) == {}
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM story_keys").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM entry_search").fetchone()[0] == 0


def _copies(store: Store, user: UserId, feeds: list[FeedState], guid: str) -> list[Entry]:
    """The copies of ``guid`` in each feed (a river shows one story once)."""
    return [
        e
        for f in feeds
        for e in store.get_entries(user, EntryFilter(feed_id=f.id))
        if e.guid == guid
    ]


def _orphans(db: object) -> dict[str, int]:
    """Rows that name an entry that is gone, by table."""
    checks = {
        "entry_states": "SELECT COUNT(*) FROM entry_states x WHERE NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.id = x.entry_id)",
        "entry_tags": "SELECT COUNT(*) FROM entry_tags x WHERE NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.id = x.entry_id)",
        "entry_search": "SELECT COUNT(*) FROM entry_search x WHERE NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.id = x.id)",
        "story_keys": "SELECT COUNT(*) FROM story_keys x WHERE NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.id = x.entry_id)",
        "clusters": "SELECT COUNT(*) FROM entries x WHERE x.cluster_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.id = x.cluster_id)",
    }
    found = {name: db.execute(sql).fetchone()[0] for name, sql in checks.items()}  # type: ignore[attr-defined]
    if not db.postgres:  # type: ignore[attr-defined]
        # the FTS5 index agrees with its content table (raises if not)
        db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')")  # type: ignore[attr-defined]
    return {name: n for name, n in found.items() if n}


def test_a_deleted_guid_is_a_tombstone_until_the_whole_feed_drops_it(store: Store) -> None:
    user = store.ensure_user("u")
    feed = feed_with_entries(store, user, n=4)
    _clean(store, Retention(read_days=1, unread_days=1, keep_per_feed=2), NOW + 2 * DAY)
    hashes = store.get_entry_hashes(feed.id)
    assert hashes == {"e0": "h0", "e1": "h1", "e2": DELETED, "e3": DELETED}
    # deleting again keeps one tombstone a guid
    assert _clean(store, Retention(1, 1, 2), NOW + 3 * DAY) == CleanupCounts()
    store.apply_refresh(ok(feed.id, forget=("e3",)), new(5))
    assert store.get_entry_hashes(feed.id) == {"e0": "h0", "e1": "h1", "e2": DELETED, "e5": "h5"}
    store.remove_feed(user, URL)  # the feed goes: its tombstones with it
    assert store.get_entry_hashes(feed.id) == {}


def test_the_cleanup_lease_is_one_holder_once_an_interval(store: Store) -> None:
    hour, minute = 3600.0, timedelta(seconds=60)
    assert store.claim_maintenance("cleanup", "w1", now=NOW, every=hour, lease_seconds=600)
    soon = NOW + minute
    assert not store.claim_maintenance("cleanup", "w2", now=soon, every=0, lease_seconds=600)
    store.end_maintenance("cleanup", "w2")  # not w2's: nothing changes
    assert not store.claim_maintenance("cleanup", "w2", now=soon, every=0, lease_seconds=600)
    assert store.claim_maintenance("other", "w2", now=soon, every=hour, lease_seconds=60)
    store.end_maintenance("cleanup", "w1")
    assert not store.claim_maintenance("cleanup", "w2", now=soon, every=hour, lease_seconds=60)
    assert store.claim_maintenance("cleanup", "w2", now=soon, every=0, lease_seconds=60)
    store.end_maintenance("cleanup", "w2")
    # due an interval after the last start
    later = NOW + timedelta(seconds=hour)
    assert not store.claim_maintenance("cleanup", "w1", now=later, every=hour, lease_seconds=60)
    assert store.claim_maintenance(
        "cleanup", "w1", now=later + minute, every=hour, lease_seconds=60
    )
    # a lease that expired (its holder died) is taken over
    assert store.claim_maintenance(
        "cleanup", "w3", now=later + 3 * minute, every=0, lease_seconds=60
    )


def test_of_many_claims_at_once_one_gets_the_cleanup(store: Store, store_url: str) -> None:
    others = [open_store(store_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(len(others)) as pool:
            won = list(
                pool.map(
                    lambda i: others[i].claim_maintenance(
                        "cleanup", f"w{i}", now=NOW, every=3600, lease_seconds=600
                    ),
                    range(len(others)),
                )
            )
    finally:
        for other in others:
            other.close()
    assert sorted(won) == [False, False, False, True]
    assert not store.claim_maintenance("cleanup", "late", now=NOW, every=0, lease_seconds=60)


def test_unsubscribing_the_last_reader_leaves_nothing_behind(store: Store, store_url: str) -> None:
    """The entries that go with a feed nobody follows take their story keys and their
    place at the head of a cluster with them, as the cleanup's do."""
    alice = store.ensure_user("alice")
    feeds = []
    for name in ("a", "b"):
        feed = store.add_feed(alice, f"https://{name}.example/feed", category=None, now=NOW)
        update = EntryUpdate(
            entry(1, link="https://news.example/1"),
            "h1",
            is_new=True,
            story=_story("https://news.example/1"),
        )
        store.apply_refresh(ok(feed.id), [update])
        feeds.append(feed)
    assert len({e.cluster_id for e in _copies(store, alice, feeds, "e1")}) == 1
    store.remove_feed(alice, "https://a.example/feed")
    with raw_db(store_url) as db:
        assert _orphans(db) == {}
    (left,) = _copies(store, alice, feeds[1:], "e1")
    assert left.cluster_id == left.id
