"""``agg.subscriptions``: one way to change a subscription, scoped to its user (#10)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tidings.aggregator import Aggregator, make_app
from tidings.errors import NotFoundError
from tidings.model import FeedId, FullTextMode, StoryOptions, UserId
from tidings.settings import load_settings

URL = "https://news.example/feed.xml"


@pytest.fixture
def agg(db_url: str) -> Iterator[Aggregator]:
    settings = load_settings({"db": db_url}, environ={})
    with make_app(settings) as app:
        yield app


def _follow(agg: Aggregator, user: UserId, url: str = URL) -> FeedId:
    """Subscribe ``user`` with the next check a day away (as after a quiet refresh)."""
    state = agg.store.add_feed(user, url, category="World", now=datetime.now(UTC))
    agg.store.set_feed_options(state.id, next_check_at=datetime.now(UTC) + timedelta(days=1))
    return state.id


def test_a_shorter_interval_brings_the_next_check_forward_and_wakes(agg: Aggregator) -> None:
    user = agg.user_id()
    feed_id = _follow(agg, user)

    async def update() -> bool:
        woken = agg.scheduling.waker()
        agg.subscriptions.update_subscription(user, feed_id, interval=600)
        await asyncio.sleep(0)
        return woken.is_set()

    assert asyncio.run(update())
    feed = agg.reading.get_feed(user, feed_id)
    assert feed.state.interval_override == 600
    assert feed.state.next_check_at is not None
    assert feed.state.next_check_at <= datetime.now(UTC) + timedelta(seconds=600)
    assert feed.category == "World" and feed.state.full_text == FullTextMode.AUTO  # left alone


def test_the_interval_is_clamped_and_none_means_automatic(agg: Aggregator) -> None:
    user = agg.user_id()
    feed_id = _follow(agg, user)
    low, high = agg.settings.min_interval, agg.settings.max_interval
    update = agg.subscriptions.update_subscription
    assert update(user, feed_id, interval=10).state.interval_override == low
    assert update(user, feed_id, interval=10**9).state.interval_override == high
    assert update(user, feed_id, interval=None).state.interval_override is None


def test_each_setting_changes_alone(agg: Aggregator) -> None:
    user = agg.user_id()
    feed_id = _follow(agg, user)
    update = agg.subscriptions.update_subscription
    update(user, feed_id, interval=3600, body_selector="article", remove_selectors=[".ad"])
    feed = update(user, feed_id, category="  Later ", title="My news", full_text="never")
    assert feed.category == "Later" and feed.state.interval_override == 3600
    assert feed.state.full_text == FullTextMode.NEVER
    assert [f.title for f in agg.reading.get_sidebar(user, "Later").feeds] == ["My news"]
    assert agg.subscriptions.get_story_options(user, feed_id) == StoryOptions(
        body_selector="article", remove_selectors=(".ad",)
    )
    feed = update(user, feed_id, category=None, title=None, body_selector=None)
    assert feed.category is None and feed.state.interval_override == 3600
    assert [f.title for f in agg.reading.get_sidebar(user).feeds] == [URL]  # the feed's own name
    assert agg.subscriptions.get_story_options(user, feed_id).remove_selectors == (".ad",)


def test_bad_values_change_nothing(agg: Aggregator) -> None:
    user = agg.user_id()
    feed_id = _follow(agg, user)
    with pytest.raises(ValueError):
        agg.subscriptions.update_subscription(user, feed_id, interval=600, full_text="sometimes")
    with pytest.raises(ValueError):
        agg.subscriptions.update_subscription(user, feed_id, interval=600, body_selector="a[")
    assert agg.reading.get_feed(user, feed_id).state.interval_override is None


def test_another_users_feed_never_changes(agg: Aggregator) -> None:
    alice = agg.user_id()
    feed_id = _follow(agg, alice)
    bob = agg.store.ensure_user("bob")
    with pytest.raises(NotFoundError):
        agg.subscriptions.update_subscription(bob, feed_id, interval=600, full_text="never")
    with pytest.raises(NotFoundError):
        agg.subscriptions.update_subscription(alice, FeedId(999), category="X")
    feed = agg.reading.get_feed(alice, feed_id)
    assert feed.state.interval_override is None and feed.state.full_text == FullTextMode.AUTO
    with pytest.raises(NotFoundError):
        agg.subscriptions.get_story_options(bob, feed_id)


def test_feed_id_for_resolves_only_the_users_own_subscriptions(agg: Aggregator) -> None:
    alice = agg.user_id()
    feed_id = _follow(agg, alice)
    assert agg.subscriptions.feed_id_for(alice, URL) == feed_id
    bob = agg.store.ensure_user("bob")
    with pytest.raises(NotFoundError, match=f"not subscribed: {URL}"):
        agg.subscriptions.feed_id_for(bob, URL)


def test_user_id_creates_only_the_first_default_user(agg: Aggregator) -> None:
    with pytest.raises(NotFoundError, match="typo"):
        agg.user_id("typo")  # an empty database: still not a typo's user
    admin = agg.user_id()  # the first command: the default CLI user, an admin
    assert [(u.name, u.is_admin) for u in agg.accounts.get_users()] == [("admin", True)]
    assert agg.user_id() == admin
    with pytest.raises(NotFoundError, match="typo"):
        agg.user_id("typo")
    assert [u.name for u in agg.accounts.get_users()] == ["admin"]
