"""Two users follow one feed (#11 item 9): a reader's taste (category, title,
full-text display) is their own; fetch settings (interval, full-text fetching)
are each subscriber's request, and the feed fetches by the resolved value."""

from __future__ import annotations

import pytest

from tidings.errors import NotFoundError
from tidings.model import EntryFilter, EntryUpdate, FeedId, FeedUpdate, FullTextMode, StoryData
from web.conftest import NOW, WebServer, entry

URL = "https://news.example/feed"


def _two(web: WebServer) -> tuple[int, int, FeedId]:
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    feed_id = web.feed(admin, URL, [entry(1)])
    web.agg.store.add_feed(bob.id, URL, category=None, now=NOW)
    return admin.id, bob.id, FeedId(feed_id)


def test_the_second_users_edit_leaves_the_first_users_view(web: WebServer) -> None:
    admin, bob, feed_id = _two(web)
    client = web.client()
    client.login("bob")
    form = {"category": "Bob's", "full_text": "always", "interval": "15"}
    assert client.post(f"/feed/{feed_id}/edit", form).status == 303
    mine = web.agg.reading.get_feed(bob, feed_id)
    theirs = web.agg.reading.get_feed(admin, feed_id)
    assert mine.category == "Bob's" and theirs.category is None
    assert mine.state.full_text == FullTextMode.ALWAYS
    assert theirs.state.full_text == FullTextMode.AUTO
    assert mine.state.interval_override == 900 and theirs.state.interval_override is None
    shared = web.agg.store.get_feed_state(feed_id)  # what the refresh uses
    assert shared.full_text == FullTextMode.ALWAYS and shared.interval_override == 900


def test_the_title_is_each_users_own(web: WebServer) -> None:
    admin, bob, feed_id = _two(web)
    web.agg.subscriptions.update_subscription(bob, feed_id, title="Bob's name")
    assert [f.state.title for f in web.agg.get_feeds(admin)] == ["Fixture News"]
    counts = {c.title for c in web.agg.store.get_feed_counts(admin)}
    assert counts == {"Fixture News"}


@pytest.mark.parametrize(
    ("first", "second", "resolved"),
    [
        ("never", "auto", "auto"),
        ("auto", "always", "always"),
        ("never", "always", "always"),
        ("always", "never", "always"),
        ("never", "never", "never"),
    ],
)
def test_full_text_fetching_is_the_strongest_request(
    web: WebServer, first: str, second: str, resolved: str
) -> None:
    admin, bob, feed_id = _two(web)
    web.agg.subscriptions.update_subscription(admin, feed_id, full_text=first)
    web.agg.subscriptions.update_subscription(bob, feed_id, full_text=second)
    assert web.agg.reading.get_feed(admin, feed_id).state.full_text == first
    assert web.agg.reading.get_feed(bob, feed_id).state.full_text == second
    assert web.agg.store.get_feed_state(feed_id).full_text == resolved


def test_the_interval_is_the_shortest_request_within_the_limits(web: WebServer) -> None:
    admin, bob, feed_id = _two(web)
    web.agg.subscriptions.update_subscription(admin, feed_id, interval=7200)
    assert web.agg.store.get_feed_state(feed_id).interval_override == 7200
    web.agg.subscriptions.update_subscription(bob, feed_id, interval=60)  # below min_interval
    assert web.agg.reading.get_feed(bob, feed_id).state.interval_override == 600
    assert web.agg.reading.get_feed(admin, feed_id).state.interval_override == 7200
    assert web.agg.store.get_feed_state(feed_id).interval_override == 600
    web.agg.subscriptions.update_subscription(bob, feed_id, interval=None)  # automatic again
    assert web.agg.store.get_feed_state(feed_id).interval_override == 7200


def test_unsubscribing_recomputes_the_feeds_fetch_settings(web: WebServer) -> None:
    _admin, bob, feed_id = _two(web)
    web.agg.subscriptions.update_subscription(bob, feed_id, interval=900, full_text="always")
    web.agg.remove_feed(bob, URL)
    shared = web.agg.store.get_feed_state(feed_id)
    assert shared.interval_override is None and shared.full_text == FullTextMode.AUTO


def test_subscribing_adds_the_new_subscribers_request(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    feed_id = FeedId(web.feed(admin, URL, [entry(1)]))
    web.agg.subscriptions.update_subscription(admin.id, feed_id, full_text="never")
    state = web.agg.store.add_feed(
        bob.id, URL, category=None, now=NOW, full_text=FullTextMode.ALWAYS
    )
    assert state.full_text == FullTextMode.ALWAYS  # the feed's, resolved
    assert web.agg.reading.get_feed(admin.id, feed_id).state.full_text == FullTextMode.NEVER


def test_a_reader_who_asked_never_sees_the_feeds_own_text(web: WebServer) -> None:
    admin, bob, feed_id = _two(web)
    web.agg.subscriptions.update_subscription(bob, feed_id, full_text="never")
    story = StoryData(
        lead=None,
        word_count=900,
        reading_minutes=4,
        main_image=None,
        language=None,
        section=None,
        canonical_url=None,
        full_content="<p>The whole article, extracted.</p>",
    )
    update = FeedUpdate(feed_id=feed_id, fetched_at=NOW, next_check_at=NOW)
    web.agg.store.apply_refresh(update, [EntryUpdate(entry(2), "hash-2", True, story)])
    [theirs] = [e for e in web.agg.get_entries(admin, EntryFilter()) if e.guid == "guid-2"]
    [mine] = [e for e in web.agg.get_entries(bob, EntryFilter()) if e.guid == "guid-2"]
    assert theirs.full_text and "whole article" in (theirs.content or "")
    assert not mine.full_text and "whole article" not in (mine.content or "")
    assert not web.agg.get_entry(bob, mine.id).full_text


def test_selectors_are_the_admins_or_the_only_subscribers(web: WebServer) -> None:
    admin, bob, feed_id = _two(web)
    with pytest.raises(PermissionError):
        web.agg.subscriptions.update_subscription(bob, feed_id, body_selector="article")
    assert web.agg.subscriptions.get_story_options(bob, feed_id).body_selector is None
    web.agg.subscriptions.update_subscription(admin, feed_id, body_selector="article")
    assert web.agg.subscriptions.get_story_options(bob, feed_id).body_selector == "article"
    with pytest.raises(NotFoundError):
        web.agg.subscriptions.update_subscription(web.user("eve").id, feed_id, title="x")
