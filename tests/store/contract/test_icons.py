"""IconStore: one icon row per feed, tried by the icon task, shown to subscribers (#12)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tidings.model import FeedId, IconJob, UserId
from tidings.ports import Store

from .samples import NOW, URL, ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def _fetched_feed(store: Store, user: UserId, url: str = URL) -> FeedId:
    feed = store.add_feed(user, url, category=None, now=NOW)
    store.apply_refresh(ok(feed.id, link="https://x.example/", icon="https://x.example/i.png"), [])
    return feed.id


def _candidates(store: Store, now: datetime = NOW) -> list[FeedId]:
    jobs = store.get_icon_candidates(stale_before=now - MONTH, retry_before=now - DAY)
    return [job.feed_id for job in jobs]


def test_a_fetched_followed_feed_without_an_icon_is_a_candidate(store: Store) -> None:
    user = store.ensure_user("u")
    store.add_feed(user, "https://never.example/feed", category=None, now=NOW)  # never fetched
    feed_id = _fetched_feed(store, user)
    assert store.get_icon_candidates(stale_before=NOW, retry_before=NOW) == [
        IconJob(feed_id, URL, "https://x.example/i.png", "https://x.example/")
    ]
    assert store.get_icon_candidates(stale_before=NOW, retry_before=NOW, limit=0) == []


def test_a_stored_icon_is_served_to_subscribers_only(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feed_id = _fetched_feed(store, alice)
    assert store.get_icon(alice, feed_id) is None  # never tried
    store.set_icon(
        feed_id, now=NOW, data=PNG, content_type="image/png", source_url="https://x.example/i.png"
    )
    icon = store.get_icon(alice, feed_id)
    assert icon is not None
    assert (icon.feed_id, icon.data, icon.content_type) == (feed_id, PNG, "image/png")
    assert (icon.source_url, icon.fetched_at, icon.error) == ("https://x.example/i.png", NOW, None)
    assert store.get_icon(bob, feed_id) is None  # not bob's feed
    assert store.get_icon(alice, FeedId(feed_id + 100)) is None
    # a stored icon is fetched again once it is older than stale_before
    assert _candidates(store) == []
    assert _candidates(store, NOW + MONTH + DAY) == [feed_id]


def test_a_failure_is_retried_later_and_keeps_the_earlier_image(store: Store) -> None:
    user = store.ensure_user("u")
    feed_id = _fetched_feed(store, user)
    store.set_icon(feed_id, now=NOW, error="not an image (text/html)", source_url="https://x/")
    icon = store.get_icon(user, feed_id)
    assert icon is not None and icon.data is None and icon.content_type is None
    assert icon.error == "not an image (text/html)"
    assert _candidates(store, NOW + timedelta(hours=1)) == []
    assert _candidates(store, NOW + DAY + timedelta(hours=1)) == [feed_id]
    # an image, then a failed refetch: the image stays, the error is noted
    store.set_icon(feed_id, now=NOW, data=PNG, content_type="image/png", source_url="https://a/")
    store.set_icon(feed_id, now=NOW + DAY, error="HTTP 404", source_url="https://b/")
    icon = store.get_icon(user, feed_id)
    assert icon is not None
    assert (icon.data, icon.content_type, icon.source_url) == (PNG, "image/png", "https://a/")
    assert (icon.error, icon.fetched_at) == ("HTTP 404", NOW + DAY)


def test_a_success_needs_bytes_and_a_feed_that_is_gone_is_ignored(store: Store) -> None:
    user = store.ensure_user("u")
    feed_id = _fetched_feed(store, user)
    with pytest.raises(ValueError):
        store.set_icon(feed_id, now=NOW, content_type="image/png")
    store.set_icon(FeedId(feed_id + 100), now=NOW, data=PNG, content_type="image/png")


def test_unfollowed_and_disabled_feeds_are_not_candidates_and_the_icon_goes_with_the_feed(
    store: Store,
) -> None:
    user = store.ensure_user("u")
    feed_id = _fetched_feed(store, user)
    gone = _fetched_feed(store, user, "https://gone.example/feed")
    store.apply_refresh(ok(gone, disabled=True, error="gone (HTTP 410)"), [])
    assert _candidates(store) == [feed_id]
    store.set_icon(feed_id, now=NOW, data=PNG, content_type="image/png")
    store.remove_feed(user, URL)
    assert _candidates(store, NOW + 2 * MONTH) == []
    store.add_feed(user, URL, category=None, now=NOW)  # a new feed row: no icon of the old one
    assert store.get_icon(user, store.get_feed_state_by_url(URL).id) is None


def test_get_icons_lists_the_stored_images_of_the_users_followed_feeds_only(
    store: Store,
) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    shared = _fetched_feed(store, alice)
    failed = _fetched_feed(store, alice, "https://failed.example/feed")
    left = _fetched_feed(store, alice, "https://left.example/feed")
    untried = _fetched_feed(store, alice, "https://untried.example/feed")
    bobs = _fetched_feed(store, bob, "https://bob.example/feed")
    store.add_feed(bob, URL, category=None, now=NOW)  # bob follows the shared feed too
    store.add_feed(bob, "https://left.example/feed", category=None, now=NOW)
    gif = b"GIF89a" + b"\0" * 8
    store.set_icon(shared, now=NOW, data=PNG, content_type="image/png")
    store.set_icon(failed, now=NOW, error="HTTP 404")
    store.set_icon(left, now=NOW, data=PNG, content_type="image/png")
    store.set_icon(bobs, now=NOW, data=gif, content_type="image/gif")
    assert left in {i.feed_id for i in store.get_icons(alice)}
    store.remove_feed(alice, "https://left.example/feed")  # bob keeps the feed and its icon

    icons = store.get_icons(alice)
    assert [(i.feed_id, i.data, i.content_type) for i in icons] == [
        (shared, PNG, "image/png")
    ]  # not the failed try, the feed alice left, the untried one, or bob's own
    assert untried not in {i.feed_id for i in icons}
    assert [(i.feed_id, i.data, i.content_type) for i in store.get_icons(bob)] == [
        (shared, PNG, "image/png"),
        (left, PNG, "image/png"),
        (bobs, gif, "image/gif"),
    ]
    # a failed refetch keeps the image, so the icon is still listed
    store.set_icon(shared, now=NOW + DAY, error="HTTP 500")
    assert [i.feed_id for i in store.get_icons(alice)] == [shared]
    assert store.get_icons(store.ensure_user("carol")) == []
