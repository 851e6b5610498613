"""SyncStore: entries in id order, complete id lists and folders with ids (#12)."""

from __future__ import annotations

from tidings.model import EntryFilter, EntryId, EntryUpdate, RuleOutcome, StoryData
from tidings.ports import Store

from .samples import NOW, entry, feed_with_entries, ok


def _ids(entries: list) -> list[int]:  # type: ignore[type-arg]
    return [int(e.id) for e in entries]


def test_entries_in_id_order_both_ways_and_by_ids(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=5, category="News")
    other = feed_with_entries(store, bob, url="https://o.example/feed", n=2)
    mine = sorted(int(e.id) for e in store.get_entries(alice, EntryFilter(limit=100)))
    theirs = sorted(int(e.id) for e in store.get_entries(bob, EntryFilter(limit=100)))
    assert len(mine) == 5 and len(theirs) == 2

    assert _ids(store.get_entries_by_id(alice, after=EntryId(0), limit=3)) == mine[:3]
    assert _ids(store.get_entries_by_id(alice, after=EntryId(mine[2]))) == mine[3:]
    assert _ids(store.get_entries_by_id(alice)) == mine  # no bound: ascending
    assert _ids(store.get_entries_by_id(alice, before=EntryId(2**53), limit=2)) == mine[::-1][:2]
    assert _ids(store.get_entries_by_id(alice, before=EntryId(mine[1]))) == mine[:1]
    both = store.get_entries_by_id(alice, after=EntryId(mine[0]), before=EntryId(mine[3]))
    assert _ids(both) == mine[1:3]
    # by ids: only the user's, ascending, foreign and unknown ones left out
    wanted = [EntryId(i) for i in (mine[3], theirs[0], mine[1], 999_999)]
    picked = store.get_entries_by_id(alice, ids=wanted)
    assert _ids(picked) == [mine[1], mine[3]]
    assert picked[0].feed_url == "https://x.example/feed" and picked[0].category == "News"
    assert store.get_entries_by_id(alice, ids=[]) == []
    assert store.get_entries_by_id(bob, after=EntryId(0))[0].feed_id == other.id


def test_entry_ids_complete_and_filtered(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=4)
    feed_with_entries(store, bob, url="https://o.example/feed", n=2)
    ids = store.get_entry_ids(alice)
    assert len(ids) == 4 and ids == sorted(ids)
    assert store.count_listed_entries(alice) == 4
    store.mark_entry(alice, ids[0], read=True, now=NOW)
    store.mark_entry(alice, ids[1], starred=True, now=NOW)
    assert store.get_entry_ids(alice, unread=True) == ids[1:]
    assert store.get_entry_ids(alice, starred=True) == [ids[1]]
    assert store.get_entry_ids(bob, starred=True) == []
    assert len(store.get_entry_ids(bob, unread=True)) == 2
    # a feed no longer followed is not listed, even its starred entry
    store.remove_feed(alice, "https://x.example/feed")
    assert store.get_entry_ids(alice) == []
    assert store.count_listed_entries(alice) == 0


def test_category_ids(store: Store) -> None:
    alice = store.ensure_user("alice")
    assert store.get_category_ids(alice) == []
    feed_with_entries(store, alice, n=1, category="tech")
    feed_with_entries(store, alice, url="https://y.example/feed", n=1, category="News")
    found = store.get_category_ids(alice)
    assert [name for _, name in found] == ["News", "tech"]
    assert all(isinstance(i, int) and i > 0 for i, _ in found)
    assert store.get_category_ids(store.ensure_user("bob")) == []


def test_entries_a_rule_hid_are_not_listed_or_counted(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed = feed_with_entries(store, alice, n=2)
    store.add_feed(bob, feed.url, category=None, now=NOW)
    dropped = StoryData(
        lead=None,
        word_count=1,
        reading_minutes=1,
        main_image=None,
        language=None,
        section=None,
        canonical_url=None,
        outcomes=(RuleOutcome(alice, hidden=True),),
    )
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(7), "h7", True, dropped)])
    assert len(store.get_entry_ids(alice)) == store.count_listed_entries(alice) == 2
    assert len(store.get_entries_by_id(alice, after=EntryId(0))) == 2
    assert len(store.get_entry_ids(alice, unread=True)) == 2
    assert len(store.get_entry_ids(bob)) == store.count_listed_entries(bob) == 3
