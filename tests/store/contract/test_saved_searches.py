"""SavedSearchStore: each user's saved searches, named uniquely per user (#15)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidings.errors import NotFoundError, SavedSearchError
from tidings.model import UserId
from tidings.ports import Store

from .samples import NOW


def test_saved_searches_are_listed_by_name_whatever_the_case(store: Store) -> None:
    alice = store.ensure_user("alice")
    assert store.get_saved_searches(alice) == []
    tide = store.add_saved_search(alice, "tide", 'tide -"low tide"', now=NOW)
    assert (tide.user_id, tide.name, tide.query, tide.created_at) == (
        alice,
        "tide",
        'tide -"low tide"',
        NOW,
    )
    store.add_saved_search(alice, "Harbour", "harbour feed:gazette", now=NOW + timedelta(1))
    store.add_saved_search(alice, "élan", "élan*", now=NOW)
    names = [s.name for s in store.get_saved_searches(alice)]
    assert names == ["Harbour", "tide", "élan"]
    assert store.get_saved_searches(alice)[1] == tide


def test_a_name_is_unique_per_user_whatever_its_case(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    store.add_saved_search(alice, "Tide", "tide", now=NOW)
    with pytest.raises(SavedSearchError, match="Tide"):
        store.add_saved_search(alice, "TIDE", "other words", now=NOW)
    # another user may use the name
    theirs = store.add_saved_search(bob, "tide", "tide", now=NOW)
    assert [s.query for s in store.get_saved_searches(alice)] == ["tide"]
    assert store.get_saved_searches(bob) == [theirs]


def test_a_rename_keeps_the_query_and_refuses_a_name_taken(store: Store) -> None:
    alice = store.ensure_user("alice")
    tide = store.add_saved_search(alice, "tide", "tide", now=NOW)
    gull = store.add_saved_search(alice, "gull", "gull", now=NOW)
    renamed = store.rename_saved_search(alice, tide.id, "Tides")
    assert (renamed.id, renamed.name, renamed.query) == (tide.id, "Tides", "tide")
    assert store.rename_saved_search(alice, tide.id, "TIDES").name == "TIDES"  # its own name
    with pytest.raises(SavedSearchError):
        store.rename_saved_search(alice, tide.id, "Gull")
    assert [s.name for s in store.get_saved_searches(alice)] == ["gull", "TIDES"]
    store.remove_saved_search(alice, gull.id)
    assert [s.name for s in store.get_saved_searches(alice)] == ["TIDES"]
    with pytest.raises(NotFoundError):
        store.remove_saved_search(alice, gull.id)
    with pytest.raises(NotFoundError):
        store.rename_saved_search(alice, gull.id, "again")


def test_one_user_never_renames_or_removes_anothers(store: Store) -> None:
    alice, mallory = store.ensure_user("alice"), store.ensure_user("mallory")
    secret = store.add_saved_search(alice, "job hunt", "vacancy", now=NOW)
    with pytest.raises(NotFoundError):
        store.rename_saved_search(mallory, secret.id, "mine")
    with pytest.raises(NotFoundError):
        store.remove_saved_search(mallory, secret.id)
    assert store.get_saved_searches(mallory) == []
    assert store.get_saved_searches(alice) == [secret]


def test_a_user_that_does_not_exist_saves_nothing(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.add_saved_search(UserId(999), "tide", "tide", now=NOW)
    assert store.get_saved_searches(UserId(999)) == []
