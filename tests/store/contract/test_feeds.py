"""FeedStore: shared feed rows, users' subscriptions to them, the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidings.core.search import SearchQuery, Term
from tidings.errors import NotFoundError
from tidings.model import (
    EntryFilter,
    EntryUpdate,
    FeedId,
    FullTextMode,
    RuleOutcome,
    StoryData,
)
from tidings.ports import Store

from .samples import NOW, URL, entry, feed_with_entries, new, ok


def test_add_feed_is_due_and_shared(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    assert store.ensure_user("alice") == alice
    a = store.add_feed(alice, URL, category="News", now=NOW)
    b = store.add_feed(bob, URL, category=None, now=NOW)
    assert a.id == b.id
    assert [f.url for f in store.get_due_feeds(NOW)] == [URL]
    assert store.get_due_feeds(NOW - timedelta(seconds=1)) == []
    assert store.get_categories(alice) == ["News"]
    assert store.get_categories(bob) == []
    store.remove_feed(alice, URL)
    assert store.get_feeds(alice) == []
    assert len(store.get_feeds(bob)) == 1
    store.remove_feed(bob, URL)
    with pytest.raises(NotFoundError):
        store.get_feed_state_by_url(URL)
    with pytest.raises(NotFoundError):
        store.remove_feed(bob, URL)


def test_add_feed_sets_the_mode_of_a_new_feed_only(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    plain = store.add_feed(alice, "https://x.example/plain", category=None, now=NOW)
    assert plain.full_text == FullTextMode.AUTO  # the default
    new = store.add_feed(alice, URL, category=None, now=NOW, full_text=FullTextMode.ALWAYS)
    assert new.full_text == FullTextMode.ALWAYS
    again = store.add_feed(bob, URL, category=None, now=NOW, full_text=FullTextMode.NEVER)
    assert again.id == new.id and again.full_text == FullTextMode.ALWAYS  # keeps its mode
    assert store.get_feed_state(new.id).full_text == FullTextMode.ALWAYS


def test_ensure_user_makes_distinct_users(store: Store) -> None:
    alice = store.ensure_user("alice", is_admin=True)
    bob = store.ensure_user("bob")
    assert alice != bob
    assert store.get_user(alice).is_admin and not store.get_user(bob).is_admin


def test_get_feeds_lists_only_the_users_subscriptions(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    store.add_feed(alice, "https://x.example/a", category="News", now=NOW)
    store.add_feed(bob, "https://x.example/b", category=None, now=NOW)
    [feed] = store.get_feeds(alice)
    assert feed.state.url == "https://x.example/a" and feed.category == "News"
    assert [f.state.url for f in store.get_feeds(bob)] == ["https://x.example/b"]


def test_remove_feed_of_another_user_is_not_found_and_changes_nothing(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    store.add_feed(alice, URL, category=None, now=NOW)
    with pytest.raises(NotFoundError):
        store.remove_feed(mallory, URL)
    assert [f.state.url for f in store.get_feeds(alice)] == [URL]


def test_add_feed_again_keeps_the_category_unless_given(store: Store) -> None:
    user = store.ensure_user("u")
    store.add_feed(user, URL, category="News", now=NOW)
    store.add_feed(user, URL, category=None, now=NOW)
    assert store.get_feeds(user)[0].category == "News"
    store.add_feed(user, URL, category="Tech", now=NOW)
    assert store.get_feeds(user)[0].category == "Tech"


def test_feed_state_by_id_and_url(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    assert feed.url == URL and feed.next_check_at == NOW
    assert store.get_feed_state(feed.id) == feed
    assert store.get_feed_state_by_url(URL) == feed
    with pytest.raises(NotFoundError):
        store.get_feed_state(FeedId(999_999))
    with pytest.raises(NotFoundError):
        store.get_feed_state_by_url("https://x.example/none")


def test_due_feeds_soonest_first_with_a_limit(store: Store) -> None:
    user = store.ensure_user("u")
    assert store.get_next_check_at() is None
    later = store.add_feed(user, "https://x.example/later", category=None, now=NOW)
    store.add_feed(user, "https://x.example/soon", category=None, now=NOW - timedelta(hours=1))
    store.apply_refresh(ok(later.id), [])  # next check in an hour
    assert [f.url for f in store.get_due_feeds(NOW)] == ["https://x.example/soon"]
    due = store.get_due_feeds(NOW + timedelta(hours=2))
    assert [f.url for f in due] == ["https://x.example/soon", "https://x.example/later"]
    assert len(store.get_due_feeds(NOW + timedelta(hours=2), limit=1)) == 1
    assert store.get_next_check_at() == NOW - timedelta(hours=1)
    assert store.count_due_feeds(NOW) == 1 and store.count_due_feeds(NOW + timedelta(hours=2)) == 2


def test_feeds_nobody_follows_or_disabled_are_never_due(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.apply_refresh(ok(feed.id, error="gone", disabled=True), [])
    assert store.get_due_feeds(NOW + timedelta(days=1)) == []
    assert store.count_due_feeds(NOW + timedelta(days=1)) == 0
    assert store.get_next_check_at() is None
    assert store.get_feed_state(feed.id).disabled


def test_get_all_feeds_lists_every_feed(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    store.add_feed(alice, "https://x.example/a", category=None, now=NOW)
    store.add_feed(bob, "https://x.example/b", category=None, now=NOW)
    assert sorted(f.url for f in store.get_all_feeds()) == [
        "https://x.example/a",
        "https://x.example/b",
    ]


def test_set_feed_options_changes_only_what_is_given(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.set_feed_options(feed.id, full_text="always", interval_override=600)
    state = store.get_feed_state(feed.id)
    assert state.full_text == FullTextMode.ALWAYS and state.interval_override == 600
    assert state.next_check_at == NOW
    store.set_feed_options(feed.id, next_check_at=NOW + timedelta(minutes=10))
    state = store.get_feed_state(feed.id)
    assert state.next_check_at == NOW + timedelta(minutes=10)
    assert state.full_text == FullTextMode.ALWAYS and state.interval_override == 600


def test_unsubscribing_keeps_the_users_starred_and_tagged_entries(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed = store.add_feed(alice, URL, category="News", now=NOW)
    store.add_feed(bob, URL, category=None, now=NOW)
    tagged = StoryData(
        lead=None,
        word_count=2,
        reading_minutes=1,
        main_image=None,
        language=None,
        section=None,
        canonical_url=None,
        outcomes=(RuleOutcome(alice, tags=("keep",)),),
    )
    updates = [*new(0, 1), EntryUpdate(entry(2, title="Otters tagged"), "h2", True, tagged)]
    store.apply_refresh(ok(feed.id, title="Harbour News"), updates)
    by_guid = {e.guid: e.id for e in store.get_entries(alice, EntryFilter())}
    store.mark_entry(alice, by_guid["e0"], starred=True, now=NOW)
    store.remove_feed(alice, URL)

    assert store.get_feeds(alice) == [] and store.count_subscribers(feed.id) == 1
    with pytest.raises(NotFoundError):
        store.remove_feed(alice, URL)  # no longer followed
    [starred] = store.get_entries(alice, EntryFilter(starred=True))
    assert starred.guid == "e0" and starred.feed_title == "Harbour News"
    assert starred.feed_url == URL
    assert {e.guid for e in store.get_entries(alice, EntryFilter())} == {"e0", "e2"}
    assert store.get_entry(alice, by_guid["e2"]).title == "Otters tagged"
    with pytest.raises(NotFoundError):
        store.get_entry(alice, by_guid["e1"])  # neither starred nor tagged
    hits = store.search_entries(alice, SearchQuery(include=(Term("otters"),)))
    assert [h.entry.guid for h in hits] == ["e2"]
    assert len(store.get_entries(bob, EntryFilter())) == 3  # bob's feed is whole

    store.remove_feed(bob, URL)  # no one follows it now: only kept entries stay
    assert store.get_due_feeds(NOW + timedelta(days=1)) == [] and store.get_all_feeds() == []
    assert {e.guid for e in store.get_entries(alice, EntryFilter())} == {"e0", "e2"}
    assert store.get_entries(bob, EntryFilter()) == []
    assert store.get_feed_state(feed.id).entry_count == 2  # e1 is gone

    store.add_feed(alice, URL, category=None, now=NOW)  # following it again
    assert [f.state.url for f in store.get_feeds(alice)] == [URL]
    assert store.count_subscribers(feed.id) == 1


def test_unsubscribing_from_a_feed_without_kept_entries_deletes_it(store: Store) -> None:
    alice = store.ensure_user("alice")
    feed = feed_with_entries(store, alice)
    store.remove_feed(alice, URL)
    with pytest.raises(NotFoundError):
        store.get_feed_state(feed.id)
