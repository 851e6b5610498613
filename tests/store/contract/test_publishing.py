"""PublishStore (#14): a user's secret publish token, and the public publications."""

from __future__ import annotations

import pytest

from tidings.errors import NotFoundError, PublicationError
from tidings.model import EntryFilter, UserId
from tidings.ports import Store

from .samples import NOW, feed_with_entries


def test_a_user_has_no_token_until_one_is_set(store: Store) -> None:
    alice = store.ensure_user("alice")
    assert store.get_publish_token(alice) is None
    assert store.get_publish_token_user("anything") is None
    with pytest.raises(NotFoundError):
        store.set_publish_token(UserId(999_999), "tok", now=NOW)


def test_a_new_token_replaces_the_old_one(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    store.set_publish_token(alice, "first", now=NOW)
    store.set_publish_token(bob, "bobs", now=NOW)
    found = store.get_publish_token_user("first")
    assert found is not None and found.id == alice and found.name == "alice"
    store.set_publish_token(alice, "second", now=NOW)  # revoked: a new one
    assert store.get_publish_token(alice) == "second"
    assert store.get_publish_token_user("first") is None
    second = store.get_publish_token_user("second")
    assert second is not None and second.id == alice
    bobs = store.get_publish_token_user("bobs")
    assert bobs is not None and bobs.id == bob  # untouched


def test_publications_by_slug(store: Store) -> None:
    admin = store.ensure_user("admin", is_admin=True)
    assert store.get_publications() == []
    made = store.add_publication(
        admin, "harbour", "category/Harbour news", full_text=False, title="The harbour", now=NOW
    )
    assert (made.slug, made.user_id, made.selection, made.full_text, made.title) == (
        "harbour",
        admin,
        "category/Harbour news",
        False,
        "The harbour",
    )
    assert made.created_at == NOW
    store.add_publication(admin, "all", "all", full_text=True, now=NOW)
    assert [p.slug for p in store.get_publications()] == ["all", "harbour"]
    assert store.get_publication("harbour") == made
    with pytest.raises(PublicationError):
        store.add_publication(admin, "harbour", "starred", full_text=True, now=NOW)
    store.remove_publication("harbour")
    with pytest.raises(NotFoundError):
        store.get_publication("harbour")
    with pytest.raises(NotFoundError):
        store.remove_publication("harbour")
    assert [p.slug for p in store.get_publications()] == ["all"]


def test_a_tag_filter_lists_only_that_tag(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    feed_with_entries(store, alice, n=3)
    feed_with_entries(store, bob, n=3)
    ids = [e.id for e in store.get_entries(alice, EntryFilter())]
    store.set_entry_tag(alice, ids[1:], "keep", tagged=True)
    store.set_entry_tag(alice, ids[:1], "other", tagged=True)
    store.set_entry_tag(bob, ids[:1], "keep", tagged=True)  # bob's tag is bob's
    assert [e.id for e in store.get_entries(alice, EntryFilter(tag="keep"))] == ids[1:]
    assert store.get_entries(bob, EntryFilter(tag="keep"))[0].id == ids[0]
    assert store.get_entries(alice, EntryFilter(tag="none")) == []
