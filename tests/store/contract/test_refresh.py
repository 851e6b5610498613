"""RefreshStore: entry hashes before a refresh, one transaction after it."""

from __future__ import annotations

from datetime import timedelta

from tidings.errors import StorageError
from tidings.model import Enclosure, EntryFilter, EntryUpdate, FeedId, FeedUpdate
from tidings.ports import Store

from .samples import NOW, URL, entry, feed_with_entries, new, ok


def test_apply_refresh_writes_entries_and_validators(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    updates = [EntryUpdate(entry(i), f"h{i}", is_new=True) for i in range(3)]
    store.apply_refresh(ok(feed.id), updates)
    state = store.get_feed_state(feed.id)
    assert state.caching.etag == "v1" and state.title == "Feed"
    assert state.entry_count == 3 and state.error_count == 0
    assert store.get_entry_hashes(feed.id) == {"e0": "h0", "e1": "h1", "e2": "h2"}
    listed = store.get_entries(user, EntryFilter())
    assert [e.guid for e in listed] == ["e0", "e1", "e2"]
    e = listed[0]
    assert e.title == "Title 0" and e.categories == ("a", "b")
    assert e.enclosures == (Enclosure("https://x.example/a.mp3", "audio/mpeg", 10),)
    assert e.published == NOW and e.feed_title == "Feed"


def test_entry_hashes_are_per_feed(store: Store) -> None:
    user = store.ensure_user("u")
    one = feed_with_entries(store, user, "https://x.example/1", n=2)
    two = store.add_feed(user, "https://x.example/2", category=None, now=NOW)
    assert store.get_entry_hashes(one.id) == {"e0": "h0", "e1": "h1"}
    assert store.get_entry_hashes(two.id) == {}


def test_changed_entry_keeps_state(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    e = store.get_entries(user, EntryFilter())[0]
    store.mark_entry(user, e.id, read=True, starred=True, now=NOW)
    store.apply_refresh(
        ok(feed.id, "v2"), [EntryUpdate(entry(1, title="New"), "h1b", is_new=False)]
    )
    again = store.get_entry(user, e.id)
    assert again.title == "New" and again.read and again.starred
    assert len(store.get_entries(user, EntryFilter())) == 1
    assert store.get_entry_hashes(feed.id) == {"e1": "h1b"}


def test_error_keeps_entries_and_counts(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    fail = FeedUpdate(
        feed_id=feed.id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=2), error="boom"
    )
    store.apply_refresh(fail, [])
    store.apply_refresh(fail, [])
    state = store.get_feed_state(feed.id)
    assert state.error_count == 2 and state.last_error == "boom"
    assert state.caching.etag == "v1"
    assert state.entry_count == 1
    store.apply_refresh(ok(feed.id), [])
    assert store.get_feed_state(feed.id).error_count == 0


def test_text_with_nul_and_surrogates_round_trips(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    odd = entry(1, title="bidi \u202e zero\u200bwidth ünïcödé 😀")
    store.apply_refresh(ok(feed.id), [EntryUpdate(odd, "h", is_new=True)])
    assert store.get_entries(user, EntryFilter())[0].title == odd.title


def test_apply_refreshes_writes_each_feed_whole_or_not_at_all(store: Store) -> None:
    user = store.ensure_user("u")
    one = store.add_feed(user, "https://x.example/1", category=None, now=NOW)
    two = store.add_feed(user, "https://x.example/2", category=None, now=NOW)
    missing = FeedId(999_999)  # its entries cannot be written: no such feed
    errors = store.apply_refreshes(
        [(ok(one.id), new(1, 2)), (ok(missing), new(3)), (ok(two.id, "v9"), new(4))]
    )
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], StorageError)
    assert len(errors) == 3
    assert store.get_entry_hashes(one.id) == {"e1": "h1", "e2": "h2"}
    assert store.get_entry_hashes(two.id) == {"e4": "h4"}
    assert store.get_entry_hashes(missing) == {}
    assert store.get_feed_state(two.id).caching.etag == "v9"
    assert store.apply_refreshes([]) == []


def test_apply_refresh_of_unwritable_entries_raises_storage_error(store: Store) -> None:
    try:
        store.apply_refresh(ok(999_999), new(1))
    except StorageError:
        pass
    else:
        raise AssertionError("entries of a feed that does not exist were accepted")
