"""The Store contract, run against every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.model import (
    Caching,
    Enclosure,
    EntryData,
    EntryFilter,
    EntryId,
    EntryUpdate,
    FeedUpdate,
)
from tidings.ports import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def entry(i: int, **kw: object) -> EntryData:
    data: dict[str, object] = dict(
        id=f"e{i}", title=f"Title {i}", link=f"https://x.example/{i}",
        published=NOW - timedelta(hours=i), summary=f"<p>s{i}</p>", categories=("a", "b"),
        enclosures=(Enclosure("https://x.example/a.mp3", "audio/mpeg", 10),),
    )
    data.update(kw)
    return EntryData(**data)  # type: ignore[arg-type]


def ok(feed_id: int, etag: str = "v1", **kw: object) -> FeedUpdate:
    return FeedUpdate(
        feed_id=feed_id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=1),  # type: ignore[arg-type]
        caching=Caching(etag=etag, last_modified="Wed, 25 Nov 2026 10:00:00 GMT"),
        title="Feed", **kw,  # type: ignore[arg-type]
    )


def test_add_feed_is_due_and_shared(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    assert store.ensure_user("alice") == alice
    a = store.add_feed(alice, "https://x.example/feed", category="News", now=NOW)
    b = store.add_feed(bob, "https://x.example/feed", category=None, now=NOW)
    assert a.id == b.id
    assert [f.url for f in store.get_due_feeds(NOW)] == ["https://x.example/feed"]
    assert store.get_due_feeds(NOW - timedelta(seconds=1)) == []
    assert store.get_categories(alice) == ["News"]
    assert store.get_categories(bob) == []
    store.remove_feed(alice, "https://x.example/feed")
    assert store.get_feeds(alice) == []
    assert len(store.get_feeds(bob)) == 1
    store.remove_feed(bob, "https://x.example/feed")
    with pytest.raises(NotFoundError):
        store.get_feed_state_by_url("https://x.example/feed")
    with pytest.raises(NotFoundError):
        store.remove_feed(bob, "https://x.example/feed")


def test_apply_refresh_writes_entries_and_validators(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/feed", category=None, now=NOW)
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


def test_changed_entry_keeps_state(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/feed", category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    e = store.get_entries(user, EntryFilter())[0]
    store.mark_entry(user, e.id, read=True, starred=True, now=NOW)
    store.apply_refresh(ok(feed.id, "v2"), [EntryUpdate(entry(1, title="New"), "h1b", is_new=False)])
    again = store.get_entry(user, e.id)
    assert again.title == "New" and again.read and again.starred
    assert len(store.get_entries(user, EntryFilter())) == 1


def test_error_keeps_entries_and_counts(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/feed", category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    fail = FeedUpdate(feed_id=feed.id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=2),
                      error="boom")
    store.apply_refresh(fail, [])
    store.apply_refresh(fail, [])
    state = store.get_feed_state(feed.id)
    assert state.error_count == 2 and state.last_error == "boom"
    assert state.caching.etag == "v1"
    assert state.entry_count == 1
    store.apply_refresh(ok(feed.id), [])
    assert store.get_feed_state(feed.id).error_count == 0


def test_other_users_entries_are_not_found(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed = store.add_feed(alice, "https://x.example/feed", category=None, now=NOW)
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1), "h1", is_new=True)])
    eid = store.get_entries(alice, EntryFilter())[0].id
    assert store.get_entries(mallory, EntryFilter()) == []
    with pytest.raises(NotFoundError):
        store.get_entry(mallory, eid)
    with pytest.raises(NotFoundError):
        store.mark_entry(mallory, eid, read=True, now=NOW)
    with pytest.raises(NotFoundError):
        store.get_entry(alice, EntryId(999_999))


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
    page1 = store.get_entries(user, EntryFilter(limit=4))
    last = page1[-1]
    page2 = store.get_entries(user, EntryFilter(limit=4, before=(last.published or NOW, last.id)))
    ids = [e.id for e in page1 + page2]
    assert len(ids) == len(set(ids)) == 8
    store.mark_entry(user, page1[0].id, read=True, now=NOW)
    assert len(store.get_entries(user, EntryFilter(unread=True, limit=100))) == 9


def test_future_dates_sort_at_fetch_time(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/feed", category=None, now=NOW)
    future = entry(1, published=datetime(9999, 12, 31, tzinfo=UTC))
    store.apply_refresh(ok(feed.id), [EntryUpdate(future, "h", is_new=True),
                                      EntryUpdate(entry(2), "h2", is_new=True)])
    listed = store.get_entries(user, EntryFilter())
    assert [e.guid for e in listed] == ["e1", "e2"]
    assert listed[0].published == datetime(9999, 12, 31, tzinfo=UTC)


def test_text_with_nul_and_surrogates_round_trips(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/feed", category=None, now=NOW)
    odd = entry(1, title="bidi \u202e zero\u200bwidth ünïcödé 😀")
    store.apply_refresh(ok(feed.id), [EntryUpdate(odd, "h", is_new=True)])
    assert store.get_entries(user, EntryFilter())[0].title == odd.title
