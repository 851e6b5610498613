"""The ``full_text_default`` setting: the mode of a feed subscribed to for the first time."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Tidings
from feedserver import FeedServer

from story.pages import article_page, teaser_feed
from tidings.aggregator import make_app
from tidings.errors import SettingsError
from tidings.model import FullTextMode
from tidings.settings import load_settings


def test_never_by_default_keeps_the_teasers(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/article/0", article_page(0), content_type="text/html; charset=utf-8")
    feed_server.set("/feed.xml", teaser_feed(feed_server.url("/"), [0]))
    never = Tidings({**tidings.env, "TIDINGS_FULL_TEXT_DEFAULT": "never"})
    never.run("add", feed_server.url("/feed.xml"))
    assert "1 new entries" in never.run("refresh").stdout
    (entry,) = never.json("entries")
    assert entry["full_text"] is False
    assert feed_server.hits("/article/0") == 0


def test_new_feeds_get_the_default_unless_told(db_url: str) -> None:
    settings = load_settings(
        {"db": db_url, "full_text_default": "always"}, environ={}
    )
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="C" type="rss" xmlUrl="https://c.example/feed"/></body></opml>"""
    with make_app(settings) as agg:
        user = agg.user_id()
        other = agg.accounts.add_user("bob", "correct horse battery").id
        a = asyncio.run(agg.add_feed(user, "https://a.example/feed", discover=False))
        b = asyncio.run(
            agg.add_feed(
                user, "https://b.example/feed", discover=False, full_text=FullTextMode.NEVER
            )
        )
        again = asyncio.run(agg.add_feed(other, "https://b.example/feed", discover=False))
        mine = agg.reading.get_feed(user, b.id)
        agg.import_opml(user, opml)
        c = agg.store.get_feed_state_by_url("https://c.example/feed")
    assert a.full_text is FullTextMode.ALWAYS and c.full_text is FullTextMode.ALWAYS
    assert b.full_text is FullTextMode.NEVER
    # bob's new subscription asks for the default; the feed fetches by the strongest
    # request, and the first subscriber's own mode is unchanged (#11)
    assert again.full_text is FullTextMode.ALWAYS
    assert mine.state.full_text is FullTextMode.NEVER


def test_a_bad_default_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="full_text_default"):
        load_settings({"full_text_default": "sometimes"}, environ={})
