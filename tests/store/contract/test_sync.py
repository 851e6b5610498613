"""SyncStore: entries in id order, complete id lists and folders with ids (#12)."""

from __future__ import annotations

from tidings.model import EntryFilter, EntryId, EntryUpdate, FeedId, RuleOutcome, StoryData
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


def test_unread_ids_are_exact_wherever_the_unread_entries_lie(store: Store) -> None:
    """The unread list walks each feed newest first and stops at its unread counter:
    unread entries older than read ones, hidden ones, fully read feeds and another
    reader's states must not make it stop early or late."""
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    mixed = feed_with_entries(store, alice, n=6)
    feed_with_entries(store, alice, url="https://y.example/feed", n=3)  # all read below
    feed_with_entries(store, alice, url="https://z.example/feed", n=2)  # none read
    store.add_feed(bob, mixed.url, category=None, now=NOW)
    hid = StoryData(
        lead=None,
        word_count=1,
        reading_minutes=1,
        main_image=None,
        language=None,
        section=None,
        canonical_url=None,
        outcomes=(RuleOutcome(alice, hidden=True),),
    )
    store.apply_refresh(ok(mixed.id), [EntryUpdate(entry(9), "h9", True, hid)])
    listed = store.get_entry_ids(alice)
    assert len(listed) == 11
    in_mixed = sorted(store.get_stream_ids(alice, EntryFilter(feed_id=mixed.id, limit=100)))
    in_y = [i for i in listed if i not in in_mixed][:3]
    read = [in_mixed[5], in_mixed[4], in_mixed[1], *in_y]  # the newest two, an older one
    assert store.set_entry_flags(alice, read, read=True, now=NOW) == 6
    store.set_entry_flags(bob, in_mixed[:3], read=True, now=NOW)
    unread = [i for i in listed if i not in read]
    assert store.get_entry_ids(alice, unread=True) == unread
    assert store.get_entry_ids(bob, unread=True) == sorted(
        i for i in store.get_entry_ids(bob) if i not in in_mixed[:3]
    )
    store.set_entry_flags(alice, [in_mixed[4]], read=False, now=NOW)
    assert store.get_entry_ids(alice, unread=True) == sorted([*unread, in_mixed[4]])
    store.set_entry_flags(alice, listed, read=True, now=NOW)
    assert store.get_entry_ids(alice, unread=True) == []


def test_stream_ids_and_entries_in_crawl_order_with_keyset_paging(store: Store) -> None:
    """Google Reader streams (#12): ids newest or oldest first, paged past a start id,
    with the filter's states, labels and exclusions; only the user's followed feeds."""
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    news = feed_with_entries(store, alice, n=4, category="News")
    tech = feed_with_entries(store, alice, url="https://y.example/feed", n=2)
    feed_with_entries(store, bob, url="https://o.example/feed", n=3)
    mine = sorted(store.get_entry_ids(alice))
    assert len(mine) == 6
    assert store.get_stream_ids(alice, EntryFilter(limit=100)) == mine[::-1]
    assert store.get_stream_ids(alice, EntryFilter(limit=2), oldest_first=True) == mine[:2]
    page = store.get_stream_ids(alice, EntryFilter(limit=2), start=mine[4])
    assert page == [mine[3], mine[2]]
    later = store.get_stream_ids(alice, EntryFilter(limit=9), start=mine[1], oldest_first=True)
    assert later == mine[2:]
    store.mark_entry(alice, mine[0], read=True, now=NOW)
    store.mark_entry(alice, mine[1], starred=True, now=NOW)
    unread = store.get_stream_ids(alice, EntryFilter(unread=True, limit=100))
    assert unread == mine[:0:-1]
    assert store.get_stream_ids(alice, EntryFilter(unstarred=True, read=True)) == [mine[0]]
    in_news = store.get_stream_ids(alice, EntryFilter(label="News", limit=100))
    assert sorted(in_news) == mine[:4]
    not_news = store.get_stream_ids(alice, EntryFilter(exclude_labels=("News",), limit=100))
    assert sorted(not_news) == mine[4:]
    not_tech = store.get_stream_ids(alice, EntryFilter(exclude_feed_ids=(tech.id,), limit=100))
    assert sorted(not_tech) == mine[:4]
    assert sorted(store.get_stream_ids(alice, EntryFilter(feed_id=news.id))) == mine[:4]
    assert store.get_stream_ids(alice, EntryFilter(starred=True)) == [mine[1]]
    entries = store.get_stream_entries(alice, EntryFilter(limit=3))
    assert _ids(entries) == mine[:2:-1]
    assert all(e.feed_id in (news.id, tech.id) for e in entries)
    assert entries[0].category is None and entries[-1].category == "News"
    # a feed no longer followed is not in any stream
    store.remove_feed(alice, "https://y.example/feed")
    assert sorted(store.get_stream_ids(alice, EntryFilter(limit=100))) == mine[:4]


def test_entry_flags_are_set_never_toggled_in_one_write(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=3)
    feed_with_entries(store, bob, url="https://o.example/feed", n=1)
    mine = store.get_entry_ids(alice)
    theirs = store.get_entry_ids(bob)
    assert store.set_entry_flags(alice, [*mine[:2], *theirs], read=True, now=NOW) == 2
    assert store.set_entry_flags(alice, mine[:2], read=True, now=NOW) == 0  # set, not toggled
    assert store.get_entry_ids(alice, unread=True) == mine[2:]
    assert store.get_entry_ids(bob, unread=True) == theirs  # a foreign id is ignored
    assert store.set_entry_flags(alice, mine, starred=True, read=False, now=NOW) == 5
    assert store.get_entry_ids(alice, starred=True) == mine
    assert store.get_entry_ids(alice, unread=True) == mine
    assert store.set_entry_flags(alice, [], read=True, now=NOW) == 0
    try:
        store.set_entry_flags(alice, [EntryId(i) for i in range(1, 10_002)], read=True, now=NOW)
    except ValueError as exc:
        assert "10000" in str(exc)
    else:
        raise AssertionError("10,001 ids accepted")
    assert store.get_entry_ids(alice, unread=True) == mine  # nothing written


def test_tags_rename_and_delete_labels(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=3, category="News")
    feed_with_entries(store, bob, url="https://o.example/feed", n=1, category="News")
    mine = store.get_entry_ids(alice)
    theirs = store.get_entry_ids(bob)
    assert store.set_entry_tag(alice, [mine[0], mine[1], *theirs], "later", tagged=True) == 2
    assert store.set_entry_tag(alice, [mine[0]], "later", tagged=True) == 0
    assert store.get_tags(alice) == ["later"] and store.get_tags(bob) == []
    assert store.get_stream_ids(alice, EntryFilter(label="later")) == [mine[1], mine[0]]
    assert "later" in store.get_entry(alice, mine[0]).tags
    assert store.set_entry_tag(alice, [mine[1]], "later", tagged=False) == 1
    # a folder and a tag of one name are renamed together; another user's stay
    store.set_entry_tag(alice, [mine[2]], "News", tagged=True)
    assert store.rename_label(alice, "News", "World")
    assert [name for _, name in store.get_category_ids(alice)] == ["World"]
    assert store.get_tags(alice) == ["World", "later"]
    assert [name for _, name in store.get_category_ids(bob)] == ["News"]
    assert not store.rename_label(alice, "nothing", "else")
    # renaming onto an existing folder merges into it
    feed_with_entries(store, alice, url="https://y.example/feed", n=1, category="Tech")
    assert store.rename_label(alice, "Tech", "World")
    assert {f.category for f in store.get_feeds(alice)} == {"World"}
    assert store.delete_label(alice, "World")
    assert store.get_category_ids(alice) == [] and store.get_tags(alice) == ["later"]
    assert {f.category for f in store.get_feeds(alice)} == {None}
    assert len(store.get_feeds(alice)) == 2  # the feeds stay
    assert not store.delete_label(alice, "World")
    assert [name for _, name in store.get_category_ids(bob)] == ["News"]


def test_newest_crawl_time_of_each_followed_feed(store: Store) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from .samples import new

    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    one = feed_with_entries(store, alice, n=2)
    two = store.add_feed(alice, "https://y.example/feed", category=None, now=NOW)
    theirs = feed_with_entries(store, bob, url="https://o.example/feed", n=1)
    assert store.get_newest_crawl_times(alice) == {one.id: NOW}
    later = NOW + timedelta(hours=2)
    store.apply_refresh(replace(ok(two.id), fetched_at=later), new(5))
    assert store.get_newest_crawl_times(alice) == {one.id: NOW, two.id: later}
    assert set(store.get_newest_crawl_times(bob)) == {theirs.id}


def test_site_links_of_some_followed_feeds(store: Store) -> None:
    """What an item's ``origin.htmlUrl`` needs, for the feeds of one page of items,
    without reading every subscription."""
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    one = store.add_feed(alice, "https://x.example/feed", category=None, now=NOW)
    two = store.add_feed(alice, "https://y.example/feed", category="News", now=NOW)
    bare = store.add_feed(alice, "https://z.example/feed", category=None, now=NOW)
    theirs = store.add_feed(bob, "https://o.example/feed", category=None, now=NOW)
    for feed, link in ((one, "https://x.example/"), (two, "https://y.example/")):
        store.apply_refresh(ok(feed.id, link=link), [])
    store.apply_refresh(ok(theirs.id, link="https://o.example/"), [])
    wanted = [one.id, two.id, bare.id, theirs.id, FeedId(999_999)]
    assert store.get_site_links(alice, wanted) == {
        one.id: "https://x.example/",
        two.id: "https://y.example/",
    }
    assert store.get_site_links(alice, [two.id]) == {two.id: "https://y.example/"}
    assert store.get_site_links(alice, []) == {}
    assert store.get_site_links(bob, wanted) == {theirs.id: "https://o.example/"}
    store.remove_feed(alice, "https://y.example/feed")
    assert store.get_site_links(alice, wanted) == {one.id: "https://x.example/"}


def test_last_refresh_of_the_followed_feeds(store: Store) -> None:
    """Fever's ``last_refreshed_on_time`` on every answer, without every subscription."""
    from dataclasses import replace
    from datetime import timedelta

    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    assert store.get_last_refreshed(alice) is None
    one = store.add_feed(alice, "https://x.example/feed", category=None, now=NOW)
    two = store.add_feed(alice, "https://y.example/feed", category=None, now=NOW)
    theirs = store.add_feed(bob, "https://o.example/feed", category=None, now=NOW)
    assert store.get_last_refreshed(alice) is None  # never fetched yet
    store.apply_refresh(ok(one.id), [])
    store.apply_refresh(replace(ok(two.id), fetched_at=NOW + timedelta(hours=1)), [])
    store.apply_refresh(replace(ok(theirs.id), fetched_at=NOW + timedelta(hours=2)), [])
    assert store.get_last_refreshed(alice) == NOW + timedelta(hours=1)
    assert store.get_last_refreshed(bob) == NOW + timedelta(hours=2)
    store.remove_feed(alice, "https://y.example/feed")
    assert store.get_last_refreshed(alice) == NOW


def test_seen_before_takes_in_the_whole_second_it_falls_in(store: Store) -> None:
    """Crawl times are whole seconds: "mark all read" at 12:00:00.5 takes the entry
    stored at 12:00:00 (it was crawled before), and `seen_from` keeps that second."""
    from datetime import timedelta

    alice = store.ensure_user("alice")
    feed_with_entries(store, alice, n=2)
    half = NOW + timedelta(milliseconds=500)
    assert len(store.get_stream_ids(alice, EntryFilter(seen_before=half))) == 2
    assert len(store.get_stream_ids(alice, EntryFilter(seen_from=half))) == 2
    assert store.get_stream_ids(alice, EntryFilter(seen_before=NOW)) == []
    latest = store.get_latest_entry_id(alice)
    marked = store.mark_all_read(
        alice, EntryFilter(seen_before=half), up_to=latest, older_than=None, now=half
    )
    assert marked == 2
