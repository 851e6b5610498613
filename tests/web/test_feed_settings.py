"""The feed settings form goes through ``agg.subscriptions`` (#10): one rule for all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.model import FeedId
from web.conftest import WebServer, entry

URL = "https://news.example/feed"


def test_a_ten_minute_interval_brings_the_next_check_forward(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(admin, URL, [entry(1)])
    web.agg.store.set_feed_options(
        FeedId(feed_id), next_check_at=datetime.now(UTC) + timedelta(days=1)
    )
    client = web.client()
    client.login("admin")
    saved = client.post(
        f"/feed/{feed_id}/edit", {"category": "Later", "full_text": "never", "interval": "10"}
    )
    assert saved.status == 303
    feed = web.agg.reading.get_feed(admin.id, feed_id)
    assert feed.state.interval_override == 600
    assert feed.state.next_check_at is not None
    assert feed.state.next_check_at <= datetime.now(UTC) + timedelta(minutes=10)
    assert feed.category == "Later" and feed.state.full_text == "never"


def test_another_users_or_an_unknown_feed_is_not_found(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(admin, URL, [entry(1)])
    web.user("bob")
    bob = web.client()
    bob.login("bob")
    form = {"category": "Mine", "full_text": "always", "interval": "10"}
    assert bob.post(f"/feed/{feed_id}/edit", form).status == 404
    assert bob.post("/feed/999/edit", form).status == 404
    feed = web.agg.reading.get_feed(admin.id, feed_id)
    assert feed.category is None and feed.state.interval_override is None
    assert feed.state.full_text == "auto"
