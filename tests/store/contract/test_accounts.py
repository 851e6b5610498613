"""AccountStore: users, password hashes, sessions and per-user settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidings.errors import AccountError, NotFoundError
from tidings.model import User, UserId
from tidings.ports import Store

from .samples import NOW

LATER = NOW + timedelta(days=1)


def test_users_by_id_and_by_name(store: Store) -> None:
    assert store.get_users() == []
    bob = store.ensure_user("bob")
    alice = store.create_user("Alice", "hash-a", is_admin=True, now=NOW)
    assert alice == User(alice.id, "Alice", is_admin=True, has_password=True)
    assert store.get_user(bob) == User(bob, "bob", is_admin=False, has_password=False)
    assert [u.name for u in store.get_users()] == ["Alice", "bob"]  # by name, any case
    assert store.get_password_hash("Alice") == (alice.id, "hash-a")
    assert store.get_password_hash("bob") == (bob, None)
    assert store.get_password_hash("nobody") is None
    with pytest.raises(NotFoundError):
        store.get_user(UserId(999_999))


def test_create_user_gives_a_password_to_a_cli_user_only_once(store: Store) -> None:
    cli = store.ensure_user("carol")
    assert not store.has_passwords()
    carol = store.create_user("carol", "hash-c", is_admin=False, now=NOW)
    assert carol.id == cli and carol.has_password
    assert store.has_passwords()
    with pytest.raises(AccountError):
        store.create_user("carol", "other", is_admin=True, now=NOW)
    assert store.get_password_hash("carol") == (cli, "hash-c")
    assert not store.get_user(cli).is_admin


def test_claim_first_admin_only_while_nobody_has_a_password(store: Store) -> None:
    admin = store.claim_first_admin("root", "hash-r", now=NOW)
    assert admin is not None and admin.is_admin and admin.has_password
    assert store.claim_first_admin("eve", "hash-e", now=NOW) is None
    assert store.get_password_hash("eve") is None
    assert [u.name for u in store.get_users()] == ["root"]


def test_claim_first_admin_takes_over_a_cli_user(store: Store) -> None:
    cli = store.ensure_user("root")
    admin = store.claim_first_admin("root", "hash-r", now=NOW)
    assert admin == User(cli, "root", is_admin=True, has_password=True)


def test_sessions_last_until_they_expire(store: Store) -> None:
    alice = store.create_user("alice", "hash-a", is_admin=False, now=NOW)
    store.add_session(alice.id, "tok-a", now=NOW, expires=LATER)
    assert store.get_session_user("tok-a", now=NOW) == alice
    assert store.get_session_user("tok-a", now=LATER) is None
    assert store.get_session_user("unknown", now=NOW) is None
    store.delete_session("tok-a")
    assert store.get_session_user("tok-a", now=NOW) is None
    store.delete_session("tok-a")  # gone already: no error


def test_add_session_purges_expired_sessions(store: Store) -> None:
    alice = store.create_user("alice", "hash-a", is_admin=False, now=NOW)
    store.add_session(alice.id, "old", now=NOW, expires=NOW + timedelta(hours=1))
    store.add_session(alice.id, "new", now=NOW + timedelta(hours=2), expires=LATER)
    # "old" would be expired at NOW + 2 h anyway; ask as if earlier: it is gone
    assert store.get_session_user("old", now=NOW) is None
    assert store.get_session_user("new", now=NOW) == alice


def test_add_session_for_a_missing_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no user"):
        store.add_session(UserId(999_999), "tok", now=NOW, expires=LATER)


def test_sessions_belong_to_their_user(store: Store) -> None:
    alice = store.create_user("alice", "hash-a", is_admin=False, now=NOW)
    bob = store.create_user("bob", "hash-b", is_admin=False, now=NOW)
    store.add_session(alice.id, "tok-a", now=NOW, expires=LATER)
    store.add_session(bob.id, "tok-b", now=NOW, expires=LATER)
    assert store.get_session_user("tok-b", now=NOW) == bob
    store.set_password_hash(bob.id, "hash-b2")  # ends bob's sessions only
    assert store.get_session_user("tok-b", now=NOW) is None
    assert store.get_session_user("tok-a", now=NOW) == alice
    assert store.get_password_hash("bob") == (bob.id, "hash-b2")
    assert store.get_password_hash("alice") == (alice.id, "hash-a")


def test_set_password_hash_of_a_missing_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.set_password_hash(UserId(999_999), "hash")


def test_user_settings_round_trip_per_user(store: Store) -> None:
    alice = store.ensure_user("alice")
    bob = store.ensure_user("bob")
    assert store.get_user_settings(alice) == {}
    values = {"theme": "dark", "page_size": 40, "nested": {"a": [1, 2]}}
    store.set_user_settings(alice, values)
    assert store.get_user_settings(alice) == values
    assert store.get_user_settings(bob) == {}
    store.set_user_settings(alice, {"theme": "light"})  # replaces, not merges
    assert store.get_user_settings(alice) == {"theme": "light"}
    with pytest.raises(NotFoundError):
        store.get_user_settings(UserId(999_999))


def test_api_password_is_kept_apart_from_the_web_password(store: Store) -> None:
    alice = store.create_user("alice", "web-hash", is_admin=False, now=NOW)
    bob = store.ensure_user("bob")
    assert store.get_api_generation(alice.id) == 0
    empty = store.get_api_login("alice")
    assert empty is not None and empty.user == alice
    assert (empty.password_hash, empty.fever_key_hash, empty.generation) == (None, None, 0)
    assert store.set_api_password(alice.id, "api-hash", "fever-a") == 1
    found = store.get_api_login("alice")
    assert found is not None
    assert (found.password_hash, found.fever_key_hash, found.generation) == (
        "api-hash",
        "fever-a",
        1,
    )
    assert store.get_password_hash("alice") == (alice.id, "web-hash")  # untouched
    assert store.get_api_login_by_fever_key("fever-a") == found
    assert store.get_api_login_by_fever_key("fever-b") is None
    assert store.get_api_login("nobody") is None
    # a change bumps the generation, a removal too; the old key is gone
    assert store.set_api_password(alice.id, "api-2", "fever-b") == 2
    assert store.get_api_login_by_fever_key("fever-a") is None
    assert store.set_api_password(alice.id, None, None) == 3
    assert store.get_api_login_by_fever_key("fever-b") is None
    assert store.get_api_generation(alice.id) == 3
    assert store.get_api_generation(bob) == 0
    with pytest.raises(NotFoundError):
        store.set_api_password(UserId(999_999), "h", "k")
    with pytest.raises(NotFoundError):
        store.get_api_generation(UserId(999_999))


def test_a_server_secret_is_made_once(store: Store) -> None:
    assert store.get_server_secret("s", "first") == "first"
    assert store.get_server_secret("s", "second") == "first"
    assert store.get_server_secret("t", "other") == "other"


def test_api_tokens_live_until_the_api_password_changes(store: Store) -> None:
    alice = store.create_user("alice", "h", is_admin=False, now=NOW)
    bob = store.create_user("bob", "h", is_admin=False, now=NOW)
    generation = store.set_api_password(alice.id, "argon", "keyed")
    store.add_api_token(alice.id, "t1", generation=generation, now=NOW)
    found = store.get_api_token_user("t1")
    assert found is not None and found.id == alice.id
    assert store.get_api_token_user("t2") is None
    # a token of a generation already gone is not kept
    store.add_api_token(alice.id, "old", generation=generation - 1, now=NOW)
    assert store.get_api_token_user("old") is None
    store.set_api_password(bob.id, "argon", "keyed2")
    assert store.get_api_token_user("t1").id == alice.id  # type: ignore[union-attr]
    store.set_api_password(alice.id, "argon2", "keyed3")  # a new password ends them all
    assert store.get_api_token_user("t1") is None
    generation = store.get_api_generation(alice.id)
    store.add_api_token(alice.id, "t3", generation=generation, now=NOW)
    store.set_api_password(alice.id, None, None)  # no API password: no API access
    assert store.get_api_token_user("t3") is None


def test_a_users_time_zone(store: Store) -> None:
    """#15: none until set; a sign-in's zone (``if_unset``) never replaces a chosen one."""
    alice = store.create_user("alice", "hash-a", is_admin=False, now=NOW)
    bob = store.create_user("bob", "hash-b", is_admin=False, now=NOW)
    assert store.get_time_zone(alice.id) is None
    store.set_time_zone(alice.id, "Asia/Tokyo", if_unset=True)
    assert store.get_time_zone(alice.id) == "Asia/Tokyo"
    store.set_time_zone(alice.id, "Europe/Paris", if_unset=True)
    assert store.get_time_zone(alice.id) == "Asia/Tokyo"
    store.set_time_zone(alice.id, "America/New_York")
    assert store.get_time_zone(alice.id) == "America/New_York"
    assert store.get_time_zone(bob.id) is None  # one user's zone only
    store.set_time_zone(alice.id, None)
    assert store.get_time_zone(alice.id) is None
    with pytest.raises(NotFoundError):
        store.get_time_zone(UserId(999_999))
    with pytest.raises(NotFoundError):
        store.set_time_zone(UserId(999_999), "UTC")
