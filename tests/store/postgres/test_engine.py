"""The PostgreSQL engine's own behaviour (the Store contract is in ``contract/``):
rows, parameters, migrations at open, and driver errors as ``StorageError``.
Needs TEST_DATABASE_URL (skipped without it)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from importlib import resources

import psycopg
import pytest

from tidings.adapters.store import open_store
from tidings.adapters.store.postgres import PostgresStore, create_test_schema, drop_test_schema
from tidings.adapters.store.postgres.engine import MIGRATION_LOCK, Row, _migrations, pg_sql
from tidings.core.urls import host_of
from tidings.errors import StorageError, StorageLockedError

from ..contract.samples import NOW

pytestmark = pytest.mark.postgres


def test_rows_read_by_name_and_position() -> None:
    row = Row((1, "a"), {"id": 0, "name": 1})
    assert row["id"] == row[0] == 1 and row["name"] == row[1] == "a"
    assert list(row) == [1, "a"] and len(row) == 2 and row.keys() == ["id", "name"]
    first, second = row
    assert (first, second) == (1, "a")


def test_parameters_are_rewritten_for_psycopg() -> None:
    assert pg_sql("SELECT :id0, :feed_id, '%' WHERE x::text = :a", True) == (
        "SELECT %(id0)s, %(feed_id)s, '%%' WHERE x::text = %(a)s"
    )
    assert pg_sql("SELECT ? WHERE y LIKE '%x'", False) == "SELECT %s WHERE y LIKE '%%x'"


@pytest.fixture
def schema(pg_base: str) -> Iterator[tuple[str, str]]:
    """(schema name, URL of an empty schema)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name, create_test_schema(pg_base, name)
    drop_test_schema(pg_base, name)


def test_two_processes_opening_at_once_migrate_once(schema: tuple[str, str]) -> None:
    _, url = schema
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            stores.append(PostgresStore(url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(stores) == 3
    versions = [r[0] for r in stores[0]._read("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == [v for v, _ in _migrations()]  # each once, none missing
    for store in stores:
        store.close()


def test_the_migration_fills_hosts_as_the_store_does(schema: tuple[str, str]) -> None:
    _, url = schema
    urls = [
        "https://Example.COM/feed",
        "http://u:p@a.example:8080/x?y",
        "https://b.example?q",
        "http://[::1]:8080/feed",
        "https://c.example#f",
        "http://127.0.0.1:9/rss",
    ]
    store = PostgresStore(url)
    user = store.ensure_user("u")
    for feed_url in urls:
        store.add_feed(user, feed_url, category=None, now=NOW)
    script = (
        resources.files("tidings.adapters.store.postgres") / "migrations" / "0006_leases.sql"
    ).read_text("utf-8")
    start = script.index("UPDATE feeds SET host")
    fill = script[start : script.index(";", start)]
    with store._write() as conn:
        conn.execute("UPDATE feeds SET host = ''")
        conn.execute(fill.replace("%", "%%"), {})
    rows = store._read("SELECT url, host FROM feeds")
    store.close()
    assert {r[0]: r[1] for r in rows} == {u: host_of(u) for u in urls}


def test_a_lost_connection_is_a_storage_error_and_the_next_call_reconnects(
    schema: tuple[str, str], pg_base: str
) -> None:
    _, url = schema
    store = PostgresStore(url)
    with pytest.raises(StorageError, match="lost the connection"), store._write() as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg.connect(pg_base, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        conn.execute("SELECT 1")
    assert store.ensure_user("u") == store.ensure_user("u")  # a new connection
    store.close()


def _end_backends(store: PostgresStore, pg_base: str) -> None:
    """The server ends every connection of ``store``'s pool (as a restart would)."""
    with store._connection() as conn:
        app = conn.execute("SELECT current_setting('application_name')").fetchone()[0]
    with psycopg.connect(pg_base, autocommit=True) as admin:
        pids = [
            r[0]
            for r in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND application_name = %s",
                (app,),
            )
        ]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.parametrize("goodbye_seen", [True, False])
def test_a_read_after_the_server_ended_the_pools_connections_answers(
    schema: tuple[str, str], pg_base: str, monkeypatch: pytest.MonkeyPatch, goodbye_seen: bool
) -> None:
    """The pool's cheap check sees the server's goodbye on the socket; a read on a
    connection that died unseen (its goodbye still on the way) is asked again on
    another: either way the caller gets its rows, not an error."""
    _, url = schema
    store = PostgresStore(url + "&application_name=tidings-test-lost")
    user = store.ensure_user("u")
    _end_backends(store, pg_base)
    time.sleep(0.2)  # the goodbye reaches the sockets
    if not goodbye_seen:
        monkeypatch.setattr(store, "_check", lambda conn: None)
        monkeypatch.setattr(store._pool, "_check", lambda conn: None)
    assert store.get_user_settings(user) == {}
    store.close()


def test_a_row_locked_past_the_wait_is_storage_locked(schema: tuple[str, str]) -> None:
    _, url = schema
    store = PostgresStore(url, lock_wait=0.2)
    user = store.ensure_user("u")
    with psycopg.connect(url) as other:
        other.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user,))
        with pytest.raises(StorageLockedError):
            store.set_user_settings(user, {"theme": "dark"})
    store.close()


def test_a_statement_past_statement_timeout_is_storage_locked(schema: tuple[str, str]) -> None:
    _, url = schema
    store = PostgresStore(url.replace("options=", "options=-cstatement_timeout%3D1000%20", 1))
    user = store.ensure_user("u")
    with psycopg.connect(url) as other:  # a long maintenance job holds the table
        other.execute("LOCK TABLE users IN SHARE MODE")
        with pytest.raises(StorageLockedError, match=r"took too long.*statement timeout"):
            store.set_user_settings(user, {"theme": "dark"})
    assert store.get_user_settings(user) == {}  # nothing written, the store still usable
    store.close()


def test_a_migration_waits_for_another_past_statement_timeout(schema: tuple[str, str]) -> None:
    _, url = schema
    PostgresStore(url).close()  # migrated
    held = threading.Event()

    def migrate_elsewhere() -> None:  # another process migrating for a while
        with psycopg.connect(url) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=migrate_elsewhere)
    thread.start()
    assert held.wait(10)
    try:  # a 200 ms statement_timeout in the URL does not cut the wait short
        store = PostgresStore(url.replace("options=", "options=-cstatement_timeout%3D200%20", 1))
    finally:
        thread.join()
    assert store.ensure_user("u") == store.ensure_user("u")
    store.close()


def test_workers_claiming_at_once_never_share_a_feed_or_overfill_a_host(
    schema: tuple[str, str],
) -> None:
    _, url = schema
    store = PostgresStore(url)
    user = store.ensure_user("u")
    for i in range(40):
        state = store.add_feed(user, f"https://h{i % 4}.example/{i}", category=None, now=NOW)
        store.set_feed_options(state.id, next_check_at=NOW - timedelta(hours=1))
    for _ in range(5):  # a race: each round gives it a chance
        got: dict[str, list[int]] = {}
        start = threading.Barrier(8)

        def work(
            owner: str, got: dict[str, list[int]] = got, start: threading.Barrier = start
        ) -> None:
            start.wait()
            claimed = store.claim_due(owner, now=NOW, limit=10, lease_seconds=600, per_host=3)
            got[owner] = [s.id for s in claimed]

        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # a claim passes over a host another claim is leasing at that moment (#13):
        # a claim after the race takes what is left
        got["after"] = [
            s.id for s in store.claim_due("after", now=NOW, limit=12, lease_seconds=600, per_host=3)
        ]
        ids = [i for claimed in got.values() for i in claimed]
        assert len(ids) == len(set(ids)) == 12  # 4 hosts, 3 leases each, no feed twice
        for owner in got:
            store.release_leases(owner)
    store.close()


def test_open_store_opens_postgresql_urls(schema: tuple[str, str]) -> None:
    _, url = schema
    for scheme_url in (url, url.replace("postgresql://", "postgres://", 1)):
        store = open_store(scheme_url)
        assert isinstance(store, PostgresStore)
        assert store.ensure_user("u") == store.ensure_user("u")
        store.close()


def test_an_unreachable_server_fails_at_once_without_the_password() -> None:
    with pytest.raises(StorageError, match="cannot connect to PostgreSQL") as caught:
        PostgresStore("postgresql://u:s3cret@127.0.0.1:1/db", timeout=30)
    assert "s3cret" not in str(caught.value)
