"""Every Store method turns a driver failure into ``StorageError`` (reader's
``test_errors_locked``), on SQLite:

- ``locked``: another connection holds the file in exclusive locking mode, and
  the store (its connections closed, busy timeout 1 ms, no lock wait) must open a new one;
- ``refused``: the store's warm connection has the driver refuse every data
  statement (an authorizer that allows only transaction control and pragmas),
  so the failure comes from inside a read or a write transaction.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import tidings.ports.store as ports
from tidings.adapters.store.sqlite import SqliteStore
from tidings.core.search import SearchQuery, Term
from tidings.errors import StorageError
from tidings.model import (
    EntryFilter,
    EntryId,
    FeedId,
    FullTextMode,
    Retention,
    Rule,
    RuleAction,
    RuleField,
    StoryOptions,
    UserId,
)
from tidings.ports import Store

from .contract.samples import NOW, URL, feed_with_entries, new, ok

LATER = NOW + timedelta(days=1)
YEAR = NOW + timedelta(days=400)
ALLOWED = {sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT, sqlite3.SQLITE_PRAGMA}
# close releases connections; listen_for_requests listens in a thread of its own,
# which logs a failure and tries again (tests/store/contract/test_jobs.py)
NOT_QUERIES = {"close", "listen_for_requests"}


@dataclass(frozen=True)
class Seed:
    path: Path
    user: UserId
    feed: FeedId
    entry: EntryId
    rule: int
    saved: int


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """A database with a bit of everything, built once and copied for each test."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = SqliteStore(str(path))
    user = store.create_user("alice", "hash", is_admin=True, now=NOW).id
    feed = feed_with_entries(store, user, n=2)
    store.apply_refresh(ok(feed.id, hub="https://hub.example/"), [])
    store.request_websub(
        feed.id, hub="https://hub.example/", topic=URL, callback_id="cb", secret="s", now=NOW
    )
    store.add_session(user, "tok", now=NOW, expires=LATER)
    store.set_publish_token(user, "pt", now=NOW)
    store.add_publication(user, "p1", "all", full_text=False, now=NOW)
    store.set_icon(feed.id, now=NOW, data=b"GIF89a", content_type="image/gif", source_url=URL)
    rule = store.add_rule(user, Rule(RuleField.TITLE, "x", RuleAction.READ), now=NOW)
    entry = store.get_entries(user, EntryFilter())[0].id
    saved = store.add_saved_search(user, "tide", "tide", now=NOW)
    store.close()
    return Seed(path, user, feed.id, entry, rule.id, saved.id)


def _call_each() -> dict[str, Callable[[Store, Seed], Any]]:
    """A call with valid arguments for every public Store method."""
    q = SearchQuery(include=(Term("title"),))
    return {
        # accounts
        "get_user": lambda s, k: s.get_user(k.user),
        "get_users": lambda s, k: s.get_users(),
        "has_passwords": lambda s, k: s.has_passwords(),
        "get_password_hash": lambda s, k: s.get_password_hash("alice"),
        "create_user": lambda s, k: s.create_user("bob", "h", is_admin=False, now=NOW),
        "claim_first_admin": lambda s, k: s.claim_first_admin("bob", "h", now=NOW),
        "set_password_hash": lambda s, k: s.set_password_hash(k.user, "h2"),
        "add_session": lambda s, k: s.add_session(k.user, "t2", now=NOW, expires=LATER),
        "get_session_user": lambda s, k: s.get_session_user("tok", now=NOW),
        "delete_session": lambda s, k: s.delete_session("tok"),
        "get_user_settings": lambda s, k: s.get_user_settings(k.user),
        "set_user_settings": lambda s, k: s.set_user_settings(k.user, {"a": 1}),
        "get_time_zone": lambda s, k: s.get_time_zone(k.user),
        "set_time_zone": lambda s, k: s.set_time_zone(k.user, "Asia/Tokyo"),
        "set_api_password": lambda s, k: s.set_api_password(k.user, "h", "f"),
        "get_api_login": lambda s, k: s.get_api_login("alice"),
        "get_api_login_by_fever_key": lambda s, k: s.get_api_login_by_fever_key("f"),
        "get_api_generation": lambda s, k: s.get_api_generation(k.user),
        "add_api_token": lambda s, k: s.add_api_token(k.user, "t", generation=0, now=NOW),
        "get_api_token_user": lambda s, k: s.get_api_token_user("t"),
        "get_server_secret": lambda s, k: s.get_server_secret("s", "v"),
        # publishing (#14)
        "get_publish_token": lambda s, k: s.get_publish_token(k.user),
        "set_publish_token": lambda s, k: s.set_publish_token(k.user, "pt2", now=NOW),
        "get_publish_token_user": lambda s, k: s.get_publish_token_user("pt"),
        "add_publication": lambda s, k: s.add_publication(
            k.user, "p2", "starred", full_text=True, now=NOW
        ),
        "get_publications": lambda s, k: s.get_publications(),
        "get_publication": lambda s, k: s.get_publication("p1"),
        "remove_publication": lambda s, k: s.remove_publication("p1"),
        # feeds
        "ensure_user": lambda s, k: s.ensure_user("carol"),
        "add_feed": lambda s, k: s.add_feed(k.user, "https://y.example/", category="C", now=NOW),
        "remove_feed": lambda s, k: s.remove_feed(k.user, URL),
        "get_feeds": lambda s, k: s.get_feeds(k.user),
        "get_feed_state": lambda s, k: s.get_feed_state(k.feed),
        "get_feed_state_by_url": lambda s, k: s.get_feed_state_by_url(URL),
        "get_due_feeds": lambda s, k: s.get_due_feeds(LATER, limit=10),
        "count_due_feeds": lambda s, k: s.count_due_feeds(LATER),
        "get_next_check_at": lambda s, k: s.get_next_check_at(),
        "get_all_feeds": lambda s, k: s.get_all_feeds(),
        "set_feed_options": lambda s, k: s.set_feed_options(k.feed, interval_override=60),
        # refresh
        "get_entry_hashes": lambda s, k: s.get_entry_hashes(k.feed),
        "apply_refresh": lambda s, k: s.apply_refresh(ok(k.feed), new(7)),
        "apply_refreshes": lambda s, k: _raise_first(s.apply_refreshes([(ok(k.feed), new(8))])),
        # reading
        "get_feed": lambda s, k: s.get_feed(k.user, k.feed),
        "set_subscription": lambda s, k: s.set_subscription(
            k.user, k.feed, category="D", full_text=FullTextMode.NEVER, interval=60
        ),
        "mark_entries_read": lambda s, k: s.mark_entries_read(
            k.user, [k.entry], read=True, now=NOW
        ),
        "mark_all_read": lambda s, k: s.mark_all_read(
            k.user, EntryFilter(), up_to=k.entry, older_than=None, now=NOW
        ),
        "count_entries": lambda s, k: s.count_entries(k.user, EntryFilter()),
        "get_feed_counts": lambda s, k: s.get_feed_counts(k.user, ["C", None]),
        "get_category_counts": lambda s, k: s.get_category_counts(k.user),
        "count_starred": lambda s, k: s.count_starred(k.user),
        "count_subscribers": lambda s, k: s.count_subscribers(k.feed),
        "get_latest_entry_id": lambda s, k: s.get_latest_entry_id(k.user),
        "get_entries": lambda s, k: s.get_entries(k.user, EntryFilter()),
        "get_entry": lambda s, k: s.get_entry(k.user, k.entry),
        "mark_entry": lambda s, k: s.mark_entry(k.user, k.entry, starred=True, now=NOW),
        "get_categories": lambda s, k: s.get_categories(k.user),
        "set_feed_title": lambda s, k: s.set_feed_title(k.user, k.feed, "Mine"),
        # sync (#12)
        "get_entries_by_id": lambda s, k: s.get_entries_by_id(k.user, after=EntryId(0)),
        "get_entry_ids": lambda s, k: s.get_entry_ids(k.user, unread=True),
        "count_listed_entries": lambda s, k: s.count_listed_entries(k.user),
        "get_category_ids": lambda s, k: s.get_category_ids(k.user),
        "get_stream_ids": lambda s, k: s.get_stream_ids(k.user, EntryFilter(unread=True)),
        "get_stream_entries": lambda s, k: s.get_stream_entries(k.user, EntryFilter()),
        "set_entry_flags": lambda s, k: s.set_entry_flags(k.user, [k.entry], read=True, now=NOW),
        "set_entry_tag": lambda s, k: s.set_entry_tag(k.user, [k.entry], "later", tagged=True),
        "get_tags": lambda s, k: s.get_tags(k.user),
        "get_icons": lambda s, k: s.get_icons(k.user),
        "get_newest_crawl_times": lambda s, k: s.get_newest_crawl_times(k.user),
        "get_site_links": lambda s, k: s.get_site_links(k.user, [k.feed]),
        "get_last_refreshed": lambda s, k: s.get_last_refreshed(k.user),
        "rename_label": lambda s, k: s.rename_label(k.user, "News", "World"),
        "delete_label": lambda s, k: s.delete_label(k.user, "News"),
        # search, stories, rules
        "search_entries": lambda s, k: s.search_entries(k.user, q),
        "get_story_context": lambda s, k: s.get_story_context(k.feed, ["https://x.example/1"]),
        "get_story_options": lambda s, k: s.get_story_options(k.feed),
        "set_story_options": lambda s, k: s.set_story_options(k.feed, StoryOptions("main")),
        "get_rules": lambda s, k: s.get_rules(k.user),
        "add_rule": lambda s, k: s.add_rule(
            k.user, Rule(RuleField.TITLE, "y", RuleAction.STAR, feed_url=URL), now=NOW
        ),
        "remove_rule": lambda s, k: s.remove_rule(k.user, k.rule),
        "get_rule_entries": lambda s, k: s.get_rule_entries(k.user, URL, 10),
        # websub
        "get_websub_candidates": lambda s, k: s.get_websub_candidates(
            now=LATER, retry_before=LATER
        ),
        "request_websub": lambda s, k: s.request_websub(
            k.feed, hub="https://hub.example/", topic=URL, callback_id="cb2", secret="t", now=NOW
        ),
        "get_websub": lambda s, k: s.get_websub("cb"),
        "update_websub": lambda s, k: s.update_websub(k.feed, state="active", expires_at=LATER),
        "record_websub_push": lambda s, k: s.record_websub_push(k.feed, NOW),
        # icons
        "get_icon_candidates": lambda s, k: s.get_icon_candidates(
            stale_before=LATER, retry_before=LATER
        ),
        "get_icon": lambda s, k: s.get_icon(k.user, k.feed),
        "set_icon": lambda s, k: s.set_icon(k.feed, now=NOW, error="HTTP 404"),
        # playback (#15)
        "get_playback_position": lambda s, k: s.get_playback_position(k.user, k.entry),
        "set_playback_position": lambda s, k: s.set_playback_position(
            k.user, k.entry, 12.5, now=NOW
        ),
        # saved searches (#15)
        "get_saved_searches": lambda s, k: s.get_saved_searches(k.user),
        "add_saved_search": lambda s, k: s.add_saved_search(k.user, "gull", "gull", now=NOW),
        "rename_saved_search": lambda s, k: s.rename_saved_search(k.user, k.saved, "Tides"),
        "remove_saved_search": lambda s, k: s.remove_saved_search(k.user, k.saved),
        # jobs
        "claim_due": lambda s, k: s.claim_due(
            "w1", now=LATER, limit=10, lease_seconds=60, per_host=4
        ),
        "claim_feeds": lambda s, k: s.claim_feeds("w2", [k.feed], now=NOW, lease_seconds=60),
        "claim_all": lambda s, k: s.claim_all("w2", now=NOW, lease_seconds=60),
        "renew_leases": lambda s, k: s.renew_leases("w1", now=NOW, lease_seconds=60),
        "release_leases": lambda s, k: s.release_leases("w1"),
        "get_lease_owners": lambda s, k: s.get_lease_owners(NOW),
        "request_refresh": lambda s, k: s.request_refresh([k.feed], now=NOW),
        # retention (#15)
        "count_expired_entries": lambda s, k: s.count_expired_entries(Retention(), now=YEAR),
        "delete_expired_entries": lambda s, k: s.delete_expired_entries(
            Retention(keep_per_feed=0), now=YEAR, limit=10
        ),
        "claim_maintenance": lambda s, k: s.claim_maintenance(
            "cleanup", "w1", now=NOW, every=60, lease_seconds=60
        ),
        "end_maintenance": lambda s, k: s.end_maintenance("cleanup", "w1"),
    }


def _raise_first(errors: list[StorageError | None]) -> None:
    """``apply_refreshes`` reports a feed's failure in its result; raise it."""
    for error in errors:
        if error is not None:
            raise error


CALLS = _call_each()
METHODS = sorted(
    name
    for protocol in ports.Store.__mro__
    if protocol.__module__.startswith("tidings.ports.")  # store.py's and JobQueue
    for name, value in vars(protocol).items()
    if callable(value) and not name.startswith("_")
)


def test_every_method_has_a_call() -> None:
    assert set(CALLS) == set(METHODS) - NOT_QUERIES
    assert len(METHODS) >= 50


@pytest.fixture
def copy(seed: Seed, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "store.db"
    shutil.copy(seed.path, path)
    yield path


@pytest.mark.parametrize("method", sorted(set(METHODS) - NOT_QUERIES))
def test_errors_locked(method: str, seed: Seed, copy: Path) -> None:
    store = SqliteStore(str(copy), busy_timeout_ms=1, lock_wait=0)
    CALLS[method](store, seed)  # the call is valid when nothing fails
    store.close()
    locker = sqlite3.connect(copy, isolation_level=None)
    try:
        locker.execute("PRAGMA locking_mode=EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute("UPDATE users SET settings = settings")
        with pytest.raises(StorageError):
            CALLS[method](store, seed)
    finally:
        locker.close()
        store.close()


@pytest.mark.parametrize("method", sorted(set(METHODS) - NOT_QUERIES))
def test_errors_refused(method: str, seed: Seed, copy: Path) -> None:
    store = SqliteStore(str(copy))
    store.get_users()  # warm: the connection is open and has written (migrations)
    conn = store._conn()

    def refuse(action: int, *args: object) -> int:
        return sqlite3.SQLITE_OK if action in ALLOWED else sqlite3.SQLITE_DENY

    conn.set_authorizer(refuse)
    try:
        with pytest.raises(StorageError):
            CALLS[method](store, seed)
        conn.set_authorizer(None)
        assert not conn.in_transaction  # rolled back
        store.get_users()  # and the store still works
    finally:
        store.close()


def test_an_interrupted_search_is_a_storage_error_not_a_query_error(seed: Seed, copy: Path) -> None:
    store = SqliteStore(str(copy))
    store._conn().set_progress_handler(lambda: 1, 1)  # every statement is interrupted
    try:
        with pytest.raises(StorageError):
            store.search_entries(seed.user, SearchQuery(include=(Term("title"),)))
    finally:
        store.close()
