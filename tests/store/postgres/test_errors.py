"""Every Store method turns a driver failure into ``StorageError`` on PostgreSQL
too (``tests/store/test_errors.py`` on SQLite): the store's schema is renamed
away under its open connections, so every statement fails inside a read or a
write transaction; once it is back, the store works again (rolled back, and the
pool's connections still usable). Needs TEST_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tidings.adapters.store.postgres import PostgresStore, create_test_schema, drop_test_schema
from tidings.errors import StorageError
from tidings.model import EntryFilter, Rule, RuleAction, RuleField

from ..contract.samples import NOW, URL, feed_with_entries, ok
from ..test_errors import CALLS, LATER, METHODS, NOT_QUERIES, Seed

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Schema:
    base: str
    name: str
    url: str


@pytest.fixture(scope="module")
def schema() -> Iterator[Schema]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield Schema(base, name, create_test_schema(base, name))
    drop_test_schema(base, name)


@pytest.fixture(scope="module")
def seed(schema: Schema) -> Seed:
    """A schema with a bit of everything (as the SQLite seed)."""
    store = PostgresStore(schema.url)
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
    return Seed(None, user, feed.id, entry, rule.id, saved.id)  # type: ignore[arg-type]


def _rename(schema: Schema, old: str, new: str) -> None:
    with psycopg.connect(schema.base, autocommit=True) as admin:
        admin.execute(f'ALTER SCHEMA "{old}" RENAME TO "{new}"')


@pytest.mark.parametrize("method", sorted(set(METHODS) - NOT_QUERIES))
def test_errors_refused(method: str, seed: Seed, schema: Schema) -> None:
    store = PostgresStore(schema.url, max_size=1)
    store.get_users()  # warm: the pool's connection is open
    away = schema.name + "_away"
    _rename(schema, schema.name, away)
    try:
        with pytest.raises(StorageError):
            CALLS[method](store, seed)
    finally:
        _rename(schema, away, schema.name)
    try:
        assert [u.name for u in store.get_users()] == ["alice"]  # rolled back, still works
    finally:
        store.close()
