"""Filter rules: declarative, per user, time-bounded (HOSTILE E14)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tidings.adapters.store import open_store
from tidings.aggregator.rules import Stories
from tidings.content.rules import (
    InvalidRuleError,
    RuleSubject,
    Verdict,
    apply_rules,
    evaluate,
    validate_rule,
)
from tidings.content.story import FeedInfo, build_update
from tidings.errors import NotFoundError
from tidings.model import (
    EntryData,
    EntryFilter,
    EntryUpdate,
    FeedUpdate,
    Rule,
    RuleAction,
    RuleField,
    UserId,
)
from tidings.ports import Store

SUBJECT = RuleSubject(
    title="Election results: the count goes on",
    content="Votes are still being counted in the capital.",
    author="Ada Reporter",
    url="https://news.example/politics/election",
    categories=("Politics", "World"),
)


def rule(
    field: RuleField, pattern: str, action: RuleAction = RuleAction.DROP, **kw: object
) -> Rule:
    return Rule(field=field, pattern=pattern, action=action, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "pattern", "fires"),
    [
        (RuleField.TITLE, "election", True),
        (RuleField.TITLE, r"^ELECTION\b", True),  # case-insensitive
        (RuleField.TITLE, "football", False),
        (RuleField.CONTENT, "still being counted", True),
        (RuleField.AUTHOR, "^ada", True),
        (RuleField.URL, r"/politics/", True),
        (RuleField.CATEGORY, "^world$", True),
        (RuleField.CATEGORY, "^sport$", False),
    ],
)
def test_block_rules_fire_on_a_match(field: RuleField, pattern: str, fires: bool) -> None:
    assert evaluate(rule(field, pattern), SUBJECT) is fires


def test_keep_rules_fire_on_what_does_not_match() -> None:
    assert evaluate(rule(RuleField.TITLE, "football", keep=True), SUBJECT) is True
    assert evaluate(rule(RuleField.TITLE, "election", keep=True), SUBJECT) is False


def test_catastrophic_pattern_against_50kb_gives_up_and_does_not_fire() -> None:
    evil = rule(RuleField.CONTENT, r"(a+)+$", id=7)
    subject = RuleSubject(content="a" * 50_000 + "!")
    verdict = Verdict()
    assert evaluate(evil, subject, verdict) is False
    assert verdict.timed_out == {7}
    # remembered for the batch: the next entry does not pay for it again
    assert evaluate(evil, RuleSubject(content="aaaa"), verdict) is False
    # a keep rule that times out does not fire either
    keep = rule(RuleField.CONTENT, r"(x+x+)+y", keep=True, id=8)
    assert evaluate(keep, RuleSubject(content="x" * 50_000), Verdict()) is False


@pytest.mark.parametrize(
    "bad",
    [
        rule(RuleField.TITLE, ""),
        rule(RuleField.TITLE, "(unclosed"),
        rule(RuleField.TITLE, "x" * 501),
        rule(RuleField.TITLE, "x", RuleAction.TAG),
        rule(RuleField.TITLE, "x", RuleAction.CATEGORY, value="  "),
    ],
)
def test_invalid_rules_are_refused(bad: Rule) -> None:
    with pytest.raises(InvalidRuleError):
        validate_rule(bad)


def test_patterns_are_never_evaluated_as_code() -> None:
    # a pattern is only ever a regular expression: this one just matches its own text
    text = "__import__('os').system('echo pwned')"
    r = rule(RuleField.TITLE, r"__import__\('os'\)")
    assert evaluate(r, RuleSubject(title=text)) is True


def test_outcomes_are_per_user_and_combine() -> None:
    rules = [
        rule(RuleField.TITLE, "election", RuleAction.READ, user_id=UserId(1), id=1),
        rule(
            RuleField.TITLE, "election", RuleAction.TAG, value="politics", user_id=UserId(1), id=2
        ),
        rule(RuleField.TITLE, "count", RuleAction.CATEGORY, value="News", user_id=UserId(1), id=3),
        rule(RuleField.TITLE, "election", RuleAction.DROP, user_id=UserId(2), id=4),
        rule(RuleField.TITLE, "election", RuleAction.STAR, user_id=UserId(3), id=5, feed_id=99),
    ]
    outcomes = {o.user_id: o for o in apply_rules(rules, 1, SUBJECT)}
    assert set(outcomes) == {1, 2}  # user 3's rule is for another feed
    assert outcomes[UserId(1)].read and outcomes[UserId(1)].tags == ("politics",)
    assert outcomes[UserId(1)].category == "News" and not outcomes[UserId(1)].hidden
    assert outcomes[UserId(2)].hidden


# Through the store: rules belong to a user, and act on that user's view only.

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


def _refresh(store: Store, feed_id: int, titles: list[str]) -> None:
    context = store.get_story_context(feed_id, [])  # type: ignore[arg-type]
    updates = []
    for n, title in enumerate(titles):
        data = EntryData(
            id=f"{feed_id}-{title}",
            title=title,
            link=f"https://x.example/{feed_id}/{n}",
            summary=f"<p>{title} text.</p>",
        )
        update = build_update(
            EntryUpdate(data, "h", is_new=True), FeedInfo(id=feed_id), None, context.rules, context
        )
        updates.append(update)
    store.apply_refresh(
        FeedUpdate(feed_id=feed_id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=1)),  # type: ignore[arg-type]
        updates,
    )


def test_rules_act_on_their_owners_view_only(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feed = store.add_feed(alice, "https://x.example/feed", category="World", now=NOW)
    store.add_feed(bob, "https://x.example/feed", category=None, now=NOW)
    stories = Stories(store)
    stories.add_rule(alice, rule(RuleField.TITLE, "football"))
    stories.add_rule(alice, rule(RuleField.TITLE, "budget", RuleAction.STAR))
    stories.add_rule(alice, rule(RuleField.TITLE, "budget", RuleAction.TAG, value="money"))
    stories.add_rule(alice, rule(RuleField.TITLE, "vote", RuleAction.CATEGORY, value="Politics"))
    stories.add_rule(alice, rule(RuleField.TITLE, "weather", RuleAction.READ))
    _refresh(store, feed.id, ["Football final", "Budget day", "Vote tonight", "Weather warning"])

    mine = {e.title: e for e in store.get_entries(alice, EntryFilter())}
    assert set(mine) == {"Budget day", "Vote tonight", "Weather warning"}  # football dropped
    assert mine["Budget day"].starred and mine["Budget day"].tags == ("money",)
    assert mine["Vote tonight"].category == "Politics"
    assert mine["Weather warning"].read
    assert [e.title for e in store.get_entries(alice, EntryFilter(category="Politics"))] == [
        "Vote tonight"
    ]
    assert alice_unread(store, alice) == 2  # budget and vote; dropped and read ones are not unread

    theirs = {e.title: e for e in store.get_entries(bob, EntryFilter())}
    assert len(theirs) == 4  # bob has no rules: nothing hidden, nothing marked
    assert not any(e.starred or e.read or e.tags for e in theirs.values())


def alice_unread(store: Store, user: UserId) -> int:
    return sum(f.unread for f in store.get_feeds(user))


def test_rule_management_is_scoped_to_the_user(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    store.add_feed(alice, "https://x.example/feed", category=None, now=NOW)
    stories = Stories(store)
    saved = stories.add_rule(alice, rule(RuleField.URL, "ads", feed_url="https://x.example/feed"))
    assert saved.id and saved.feed_url == "https://x.example/feed"
    assert stories.get_rules(bob) == []
    with pytest.raises(NotFoundError):
        stories.remove_rule(bob, saved.id)
    with pytest.raises(NotFoundError):  # bob does not follow the feed
        stories.add_rule(bob, rule(RuleField.URL, "ads", feed_url="https://x.example/feed"))
    stories.remove_rule(alice, saved.id)
    assert stories.get_rules(alice) == []


def test_dry_run_shows_matches_and_changes_nothing(store: Store) -> None:
    alice = store.ensure_user("alice")
    feed = store.add_feed(alice, "https://x.example/feed", category=None, now=NOW)
    _refresh(store, feed.id, ["Football final", "Budget day", "Football transfer news"])
    stories = Stories(store)
    result = stories.dry_run(alice, rule(RuleField.TITLE, "football"))
    assert result.checked == 3 and not result.timed_out
    assert sorted(e.title or "" for e in result.matched) == [
        "Football final",
        "Football transfer news",
    ]
    assert stories.get_rules(alice) == []
    assert len(store.get_entries(alice, EntryFilter())) == 3

    evil = stories.dry_run(alice, rule(RuleField.CONTENT, r"(a+)+$"))
    assert evil.matched == ()  # finished, matched nothing
