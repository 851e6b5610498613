"""RuleStore: a user's filter rules and the entries a dry run looks at."""

from __future__ import annotations

import pytest

from tidings.errors import NotFoundError
from tidings.model import Rule, RuleAction, RuleField
from tidings.ports import Store

from .samples import NOW, feed_with_entries

A = "https://x.example/a"
B = "https://x.example/b"


def test_add_get_and_remove_rules(store: Store) -> None:
    alice = store.ensure_user("alice")
    feed = feed_with_entries(store, alice, A, n=1)
    assert store.get_rules(alice) == []
    everywhere = store.add_rule(
        alice, Rule(RuleField.TITLE, "sale", RuleAction.TAG, value="ads"), now=NOW
    )
    one_feed = store.add_rule(
        alice, Rule(RuleField.AUTHOR, "bot", RuleAction.DROP, keep=True, feed_url=A), now=NOW
    )
    assert everywhere.id and everywhere.user_id == alice and everywhere.feed_id is None
    assert everywhere.value == "ads" and everywhere.action == RuleAction.TAG
    assert one_feed.feed_id == feed.id and one_feed.feed_url == A and one_feed.keep
    assert store.get_rules(alice) == [everywhere, one_feed]
    store.remove_rule(alice, everywhere.id)
    assert store.get_rules(alice) == [one_feed]
    with pytest.raises(NotFoundError):
        store.remove_rule(alice, everywhere.id)


def test_rules_belong_to_their_user(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed_with_entries(store, alice, A, n=1)
    rule = store.add_rule(alice, Rule(RuleField.TITLE, "x", RuleAction.READ), now=NOW)
    assert store.get_rules(mallory) == []
    with pytest.raises(NotFoundError):
        store.remove_rule(mallory, rule.id)
    with pytest.raises(NotFoundError):  # a feed mallory does not follow
        store.add_rule(mallory, Rule(RuleField.TITLE, "x", RuleAction.READ, feed_url=A), now=NOW)
    assert store.get_rules(alice) == [rule] and store.get_rules(mallory) == []


def test_rule_entries_newest_first_of_one_feed_or_all(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    feed_with_entries(store, alice, A, n=3)
    feed_with_entries(store, alice, B, n=2)
    assert [e.guid for e in store.get_rule_entries(alice, A, 10)] == ["e0", "e1", "e2"]
    assert [e.feed_url for e in store.get_rule_entries(alice, B, 10)] == [B, B]
    assert len(store.get_rule_entries(alice, None, 10)) == 5
    assert len(store.get_rule_entries(alice, None, 2)) == 2
    assert store.get_rule_entries(mallory, None, 10) == []
    with pytest.raises(NotFoundError):
        store.get_rule_entries(mallory, A, 10)
