"""ReadingStore: a user's river, one entry, marks, one subscription, counts.

Everything is scoped by user: another user's feeds and entries are not found,
not counted and not marked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.model import EntryFilter, EntryId, EntryUpdate, FeedCount, FeedId, FullTextMode
from tidings.ports import Store

from .samples import NOW, URL, entry, feed_with_entries, new, ok


def test_other_users_entries_are_not_found(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed = store.add_feed(alice, URL, category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    eid = store.get_entries(alice, EntryFilter())[0].id
    assert store.get_entries(mallory, EntryFilter()) == []
    with pytest.raises(NotFoundError):
        store.get_entry(mallory, eid)
    with pytest.raises(NotFoundError):
        store.mark_entry(mallory, eid, read=True, now=NOW)
    with pytest.raises(NotFoundError):
        store.get_entry(alice, EntryId(999_999))
    assert not store.get_entry(alice, eid).read


def test_filters_and_keyset_paging(store: Store) -> None:
    user = store.ensure_user("u")
    f1 = store.add_feed(user, "https://x.example/1", category="A", now=NOW)
    f2 = store.add_feed(user, "https://x.example/2", category="B", now=NOW)
    store.apply_refresh(ok(f1.id), [EntryUpdate(entry(i), f"h{i}", is_new=True) for i in range(5)])
    store.apply_refresh(
        ok(f2.id), [EntryUpdate(entry(i + 10), f"h{i}", is_new=True) for i in range(5)]
    )
    assert len(store.get_entries(user, EntryFilter(category="A"))) == 5
    assert len(store.get_entries(user, EntryFilter(feed_url="https://x.example/2"))) == 5
    assert len(store.get_entries(user, EntryFilter(feed_id=f2.id))) == 5
    page1 = store.get_entries(user, EntryFilter(limit=4))
    last = page1[-1]
    page2 = store.get_entries(user, EntryFilter(limit=4, before=(last.published or NOW, last.id)))
    ids = [e.id for e in page1 + page2]
    assert len(ids) == len(set(ids)) == 8
    store.mark_entry(user, page1[0].id, read=True, now=NOW)
    assert len(store.get_entries(user, EntryFilter(unread=True, limit=100))) == 9


def test_keyset_neighbours_both_ways(store: Store) -> None:
    """#15: a story's neighbours in a listing: ``before`` the nearest older first,
    ``after`` with ``oldest_first`` the nearest newer first; ties in time by id."""
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    same = NOW - timedelta(hours=2)
    store.apply_refresh(
        ok(feed.id),
        [
            EntryUpdate(entry(i, published=same) if i in (2, 3) else entry(i), f"h{i}", True)
            for i in range(5)
        ],
    )
    listed = store.get_entries(user, EntryFilter())
    assert len(listed) == 5
    for at, current in enumerate(listed):
        key = (current.sorted_at or NOW, current.id)
        older = store.get_entries(user, EntryFilter(before=key, limit=1))
        newer = store.get_entries(user, EntryFilter(after=key, oldest_first=True, limit=1))
        assert [e.id for e in older] == [e.id for e in listed[at + 1 : at + 2]]
        assert [e.id for e in newer] == [e.id for e in listed[max(0, at - 1) : at]]
    first = (listed[0].sorted_at or NOW, listed[0].id)
    rest = store.get_entries(
        user, EntryFilter(after=(listed[-1].sorted_at or NOW, listed[-1].id), oldest_first=True)
    )
    assert [e.id for e in rest] == [e.id for e in reversed(listed[:-1])]
    store.mark_entry(user, listed[3].id, read=True, now=NOW)
    key = (listed[4].sorted_at or NOW, listed[4].id)
    unread = store.get_entries(
        user, EntryFilter(after=key, oldest_first=True, unread=True, limit=1)
    )
    assert [e.id for e in unread] == [listed[2].id]  # the read one between is skipped
    assert store.get_entries(user, EntryFilter(after=first)) == []


def test_future_dates_sort_at_fetch_time(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    future = entry(1, published=datetime(9999, 12, 31, tzinfo=UTC))
    store.apply_refresh(
        ok(feed.id),
        [EntryUpdate(future, "h", is_new=True), EntryUpdate(entry(2), "h2", is_new=True)],
    )
    listed = store.get_entries(user, EntryFilter())
    assert [e.guid for e in listed] == ["e1", "e2"]
    assert listed[0].published == datetime(9999, 12, 31, tzinfo=UTC)


def test_get_feed_is_one_subscription_with_its_unread_count(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed = feed_with_entries(store, alice, n=3, category="News")
    got = store.get_feed(alice, feed.id)
    assert got.state.url == URL and got.category == "News" and got.unread == 3
    with pytest.raises(NotFoundError):
        store.get_feed(mallory, feed.id)
    with pytest.raises(NotFoundError):
        store.get_feed(alice, FeedId(999_999))


def test_set_subscription_files_and_configures_the_feed(store: Store) -> None:
    alice = store.ensure_user("alice")
    feed = store.add_feed(alice, URL, category="Old", now=NOW)
    store.set_subscription(
        alice, feed.id, category="New", full_text=FullTextMode.NEVER, interval=900
    )
    got = store.get_feed(alice, feed.id)
    assert got.category == "New"
    assert got.state.full_text == FullTextMode.NEVER and got.state.interval_override == 900
    assert store.get_categories(alice) == ["New"]  # the empty category is gone
    store.set_subscription(alice, feed.id, category=None)
    got = store.get_feed(alice, feed.id)
    assert got.category is None and got.state.interval_override is None  # None: automatic
    assert got.state.full_text == FullTextMode.NEVER  # None: unchanged
    assert store.get_categories(alice) == []


def test_set_subscription_of_another_users_feed_is_not_found(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed = store.add_feed(alice, URL, category="News", now=NOW)
    with pytest.raises(NotFoundError):
        store.set_subscription(mallory, feed.id, category="Mine", interval=60)
    assert store.get_feed(alice, feed.id).category == "News"
    assert store.get_feed_state(feed.id).interval_override is None
    assert store.get_categories(mallory) == []


def test_set_feed_title_names_the_feed_for_that_user_only(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    mallory = store.ensure_user("mallory")
    feed = feed_with_entries(store, alice, n=1)  # the feed's own title: "Feed"
    store.add_feed(bob, URL, category=None, now=NOW)
    store.set_feed_title(alice, feed.id, "Mine")
    assert [c.title for c in store.get_feed_counts(alice)] == ["Mine"]
    # the subscription carries the name beside the feed's own title (#15)
    assert store.get_feed(alice, feed.id).custom_title == "Mine"
    assert [(f.custom_title, f.state.title) for f in store.get_feeds(alice)] == [("Mine", "Feed")]
    assert store.get_feed(bob, feed.id).custom_title is None
    assert [f.custom_title for f in store.get_feeds(bob)] == [None]
    assert [e.feed_title for e in store.get_entries(alice, EntryFilter())] == ["Mine"]
    assert [c.title for c in store.get_feed_counts(bob)] == ["Feed"]  # bob's view unchanged
    assert [e.feed_title for e in store.get_entries(bob, EntryFilter())] == ["Feed"]
    with pytest.raises(NotFoundError):
        store.set_feed_title(mallory, feed.id, "Theirs")  # not followed: not found
    with pytest.raises(NotFoundError):
        store.set_feed_title(alice, FeedId(999_999), "Gone")
    assert store.get_feed_counts(mallory) == []
    assert [c.title for c in store.get_feed_counts(bob)] == ["Feed"]
    store.set_feed_title(alice, feed.id, None)  # None: the feed's own title again
    assert [c.title for c in store.get_feed_counts(alice)] == ["Feed"]
    assert store.get_feed(alice, feed.id).custom_title is None


def test_mark_entries_read_counts_changes_and_ignores_others_entries(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed_with_entries(store, alice, n=3)
    ids = [e.id for e in store.get_entries(alice, EntryFilter())]
    assert store.mark_entries_read(mallory, ids, read=True, now=NOW) == 0
    assert store.count_entries(alice, EntryFilter(unread=True)) == 3
    assert (
        store.mark_entries_read(alice, [*ids[:2], ids[0], EntryId(999_999)], read=True, now=NOW)
        == 2
    )
    assert store.mark_entries_read(alice, ids[:2], read=True, now=NOW) == 0  # no change
    assert store.count_entries(alice, EntryFilter(unread=True)) == 1
    assert store.mark_entries_read(alice, ids, read=False, now=NOW) == 2
    assert store.mark_entries_read(alice, [], read=True, now=NOW) == 0


def test_mark_all_read_up_to_and_older_than(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=4)  # e0 newest .. e3 oldest
    store.add_feed(bob, URL, category=None, now=NOW)
    by_guid = {e.guid: e for e in store.get_entries(alice, EntryFilter())}
    older = store.mark_all_read(
        alice,
        EntryFilter(),
        up_to=store.get_latest_entry_id(alice),
        older_than=by_guid["e1"].sorted_at,
        now=NOW,
    )
    assert older == 2  # e2, e3
    assert {e.guid for e in store.get_entries(alice, EntryFilter(unread=True))} == {"e0", "e1"}
    seen = min(by_guid["e0"].id, by_guid["e1"].id)
    assert store.mark_all_read(alice, EntryFilter(), up_to=seen, older_than=None, now=NOW) == 1
    assert store.count_entries(alice, EntryFilter(unread=True)) == 1
    assert store.count_entries(bob, EntryFilter(unread=True)) == 4  # bob's marks untouched


def test_counts_per_feed_and_category(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    news = feed_with_entries(store, alice, "https://x.example/news", n=3, category="News")
    loose = store.add_feed(alice, "https://x.example/loose", category=None, now=NOW)
    store.apply_refresh(ok(loose.id, title="Loose"), new(7, 8))
    one = store.get_entries(alice, EntryFilter(feed_id=news.id))[0]
    store.mark_entry(alice, one.id, read=True, now=NOW)
    assert store.get_feed_counts(alice) == [  # by title
        FeedCount(news.id, "Feed", "News", 2, None),
        FeedCount(loose.id, "Loose", None, 2, None),
    ]
    assert [c.id for c in store.get_feed_counts(alice, ["News"])] == [news.id]
    assert [c.id for c in store.get_feed_counts(alice, [None])] == [loose.id]
    assert store.get_feed_counts(alice, []) == []
    assert store.get_category_counts(alice) == {"News": 2, None: 2}
    assert store.get_feed_counts(mallory) == [] and store.get_category_counts(mallory) == {}
    assert store.count_entries(alice, EntryFilter()) == 5
    assert store.count_entries(alice, EntryFilter(unread=True, category="News")) == 2
    assert store.count_entries(alice, EntryFilter(after_id=one.id)) == len(
        [e for e in store.get_entries(alice, EntryFilter()) if e.id > one.id]
    )
    assert store.count_entries(mallory, EntryFilter()) == 0


def test_feed_counts_by_name_and_with_the_last_error(store: Store) -> None:
    user = store.ensure_user("u")
    b = store.add_feed(user, "https://x.example/b", category=None, now=NOW)
    a = store.add_feed(user, "https://x.example/a", category=None, now=NOW)
    store.apply_refresh(ok(b.id, title="beta"), [])
    store.apply_refresh(ok(a.id, title="Alpha"), [])
    store.apply_refresh(ok(a.id, error="boom"), [])
    counts = store.get_feed_counts(user)
    assert [(c.title, c.error) for c in counts] == [("Alpha", "boom"), ("beta", None)]


def test_starred_and_one_entry_marks(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=2)
    store.add_feed(bob, URL, category=None, now=NOW)
    first = store.get_entries(alice, EntryFilter())[0]
    assert store.count_starred(alice) == 0
    store.mark_entry(alice, first.id, starred=True, now=NOW)
    got = store.get_entry(alice, first.id)
    assert got.starred and not got.read
    store.mark_entry(alice, first.id, read=True, now=NOW)  # starred stays
    got = store.get_entry(alice, first.id)
    assert got.starred and got.read
    assert store.count_starred(alice) == 1 and store.count_starred(bob) == 0
    assert [e.id for e in store.get_entries(alice, EntryFilter(starred=True))] == [first.id]
    bobs = store.get_entry(bob, first.id)  # the shared entry, bob's own state
    assert not bobs.starred and not bobs.read
    store.mark_entry(alice, first.id, starred=False, read=False, now=NOW)
    got = store.get_entry(alice, first.id)
    assert not got.starred and not got.read


def test_latest_entry_id_and_categories(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    assert store.get_latest_entry_id(alice) == 0
    feed = store.add_feed(alice, "https://x.example/a", category="b-News", now=NOW)
    store.add_feed(alice, "https://x.example/c", category="A-Tech", now=NOW)
    store.apply_refresh(ok(feed.id), new(1, 2))
    newest = max(e.id for e in store.get_entries(alice, EntryFilter()))
    assert store.get_latest_entry_id(alice) == newest
    assert store.get_latest_entry_id(bob) == 0
    assert store.get_categories(alice) == ["A-Tech", "b-News"]  # by name, any case
    assert store.get_categories(bob) == []
    assert store.get_entries(bob, EntryFilter(after_id=EntryId(0))) == []
    assert store.count_entries(alice, EntryFilter(after_id=EntryId(newest))) == 0


def test_fetch_settings_are_resolved_across_subscribers(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed = store.add_feed(alice, URL, category=None, now=NOW, full_text=FullTextMode.NEVER)
    store.add_feed(bob, URL, category=None, now=NOW, full_text=FullTextMode.AUTO)
    assert store.count_subscribers(feed.id) == 2
    store.set_subscription(alice, feed.id, category=None, interval=3600)
    store.set_subscription(bob, feed.id, category="B", full_text=FullTextMode.ALWAYS, interval=900)
    shared = store.get_feed_state(feed.id)
    assert shared.full_text == FullTextMode.ALWAYS and shared.interval_override == 900
    mine = store.get_feed(alice, feed.id)
    assert mine.state.full_text == FullTextMode.NEVER and mine.state.interval_override == 3600
    assert mine.category is None
    store.remove_feed(bob, URL)
    assert store.count_subscribers(feed.id) == 1
    shared = store.get_feed_state(feed.id)
    assert shared.full_text == FullTextMode.NEVER and shared.interval_override == 3600


def test_stream_filters_read_label_and_crawl_window(store: Store) -> None:
    """What Google Reader streams need (#12): only read entries, a label that is a
    folder or a tag, and a window of crawl (first-seen) time."""
    from dataclasses import replace
    from datetime import timedelta

    from tidings.model import RuleOutcome, StoryData

    user = store.ensure_user("u")
    other = store.ensure_user("o")
    world = store.add_feed(user, "https://x.example/1", category="World", now=NOW)
    tech = store.add_feed(user, "https://x.example/2", category=None, now=NOW)
    store.add_feed(other, "https://x.example/2", category="World", now=NOW)
    store.apply_refresh(ok(world.id), new(0, 1))
    tagged = StoryData(
        lead=None,
        word_count=1,
        reading_minutes=1,
        main_image=None,
        language=None,
        section=None,
        canonical_url=None,
        outcomes=(RuleOutcome(user, tags=("World",)),),
    )
    later = NOW + timedelta(hours=1)
    store.apply_refresh(
        replace(ok(tech.id), fetched_at=later),
        [EntryUpdate(entry(5), "h5", True, tagged), *new(6)],
    )
    guid = {e.id: e.guid for e in store.get_entries(user, EntryFilter(limit=100))}
    ids = {g: i for i, g in guid.items()}
    store.mark_entry(user, ids["e1"], read=True, now=NOW)

    def guids(f: EntryFilter, who: object = user) -> set[str]:
        return {e.guid for e in store.get_entries(who, f)}  # type: ignore[arg-type]

    assert guids(EntryFilter(read=True)) == {"e1"}
    assert guids(EntryFilter(label="World")) == {"e0", "e1", "e5"}  # folder, or tag
    assert guids(EntryFilter(label="World"), other) == {"e5", "e6"}  # the other's folder
    assert guids(EntryFilter(seen_from=later)) == {"e5", "e6"}
    assert guids(EntryFilter(seen_before=later)) == {"e0", "e1"}
