"""StoryStore: per-feed extraction options and the enrich step's context."""

from __future__ import annotations

import pytest

from tidings.errors import NotFoundError
from tidings.model import (
    Article,
    EntryUpdate,
    FeedId,
    Rule,
    RuleAction,
    RuleField,
    StoryData,
    StoryOptions,
)
from tidings.ports import Store

from .samples import NOW, URL, entry, ok


def _story(url: str, html: str | None) -> StoryData:
    return StoryData(
        lead=None,
        word_count=120,
        reading_minutes=1,
        main_image="https://x.example/i.png",
        language="en",
        section=None,
        canonical_url=url,
        full_content=html,
    )


def test_story_options_default_and_round_trip(store: Store) -> None:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    other = store.add_feed(user, "https://x.example/other", category=None, now=NOW)
    assert store.get_story_options(feed.id) == StoryOptions()
    options = StoryOptions(body_selector="article .body", remove_selectors=(".ad", "aside"))
    store.set_story_options(feed.id, options)
    assert store.get_story_options(feed.id) == options
    assert store.get_story_options(other.id) == StoryOptions()
    store.set_story_options(feed.id, StoryOptions())
    assert store.get_story_options(feed.id) == StoryOptions()


def test_set_story_options_of_a_missing_feed_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no feed"):
        store.set_story_options(FeedId(999_999), StoryOptions(body_selector="main"))


def test_story_context_has_options_subscribers_rules_and_cached_articles(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed = store.add_feed(alice, URL, category=None, now=NOW)
    store.add_feed(bob, "https://x.example/bobs", category=None, now=NOW)
    mine = store.add_rule(alice, Rule(RuleField.TITLE, "ads?", RuleAction.DROP), now=NOW)
    store.add_rule(bob, Rule(RuleField.TITLE, "x", RuleAction.READ), now=NOW)  # not a subscriber
    store.set_story_options(feed.id, StoryOptions(body_selector="main"))
    page = "https://x.example/story"
    store.apply_refresh(
        ok(feed.id),
        [
            EntryUpdate(entry(1), "h1", is_new=True, story=_story(page, "<p>full</p>")),
            EntryUpdate(entry(2), "h2", is_new=True, story=_story("https://x.example/b", None)),
        ],
    )
    context = store.get_story_context(feed.id, [page, "https://x.example/b", "https://no.example/"])
    assert context.options == StoryOptions(body_selector="main")
    assert context.rules == (mine,)
    assert dict(context.articles) == {
        page: Article("<p>full</p>", 120, "https://x.example/i.png", "en")
    }
    assert store.get_story_context(feed.id, []).articles == {}
