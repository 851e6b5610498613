"""Storage faults on a real SQLite file (#11): another process's write lock, a full
database, a read-only file. Each comes out as its own ``StorageError`` kind with
the real cause, never as the error of a second ROLLBACK."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings.adapters.store.sqlite import SqliteStore
from tidings.errors import StorageFullError, StorageLockedError
from tidings.model import EntryData, EntryFilter, EntryUpdate, UserId

from .contract.samples import NOW, feed_with_entries, new, ok


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "faults.db"


@pytest.fixture
def seeded(path: Path) -> tuple[UserId, int]:
    store = SqliteStore(str(path))
    user = store.ensure_user("u")
    feed = feed_with_entries(store, user, n=3)
    store.close()
    return user, int(feed.id)


def _hold_write_lock(path: Path, seconds: float) -> threading.Event:
    """Another connection (as another process would) holds the write lock for ``seconds``."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE users SET settings = settings")
        locked.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(5)
    return locked


def test_a_write_waits_its_turn_past_the_busy_timeout(
    path: Path, seeded: tuple[UserId, int]
) -> None:
    user, _ = seeded
    store = SqliteStore(str(path), busy_timeout_ms=100)
    entry = store.get_entries(user, EntryFilter())[0]
    _hold_write_lock(path, 1.0)  # ten busy timeouts
    started = time.monotonic()
    store.mark_entry(user, entry.id, starred=True, now=NOW)
    assert time.monotonic() - started >= 0.8
    assert store.get_entry(user, entry.id).starred
    store.close()


def test_a_write_gives_up_after_the_wait_bound(path: Path, seeded: tuple[UserId, int]) -> None:
    user, _ = seeded
    store = SqliteStore(str(path), busy_timeout_ms=50, lock_wait=0.3)
    entry = store.get_entries(user, EntryFilter())[0]
    _hold_write_lock(path, 2.0)
    with pytest.raises(StorageLockedError, match="database is locked"):
        store.mark_entry(user, entry.id, starred=True, now=NOW)
    store.get_entries(user, EntryFilter())  # reads never wait for the writer
    store.close()


class FullStore(SqliteStore):
    """A store whose database may not grow: ``PRAGMA max_page_count`` at its current
    size on every connection, the way a full disk refuses new pages (SQLITE_FULL)."""

    full = True

    def _conn(self) -> sqlite3.Connection:
        conn = super()._conn()
        if self.full:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count={pages}")
        else:
            conn.execute("PRAGMA max_page_count=1073741823")
        return conn


def _big(n: int) -> list[EntryUpdate]:
    body = "<p>" + "words " * 4000 + "</p>"
    return [
        EntryUpdate(EntryData(id=f"big{i}", title=f"Big {i}", content=body), f"b{i}", is_new=True)
        for i in range(n)
    ]


def test_disk_full_is_reported_as_such_and_rolled_back(
    path: Path, seeded: tuple[UserId, int]
) -> None:
    user, feed = seeded
    store = FullStore(str(path))
    before = len(store.get_entries(user, EntryFilter()))
    with pytest.raises(StorageFullError, match=r"^database or disk is full$"):
        store.apply_refresh(ok(feed, etag="v2"), _big(50))
    conn = store._conn()
    assert not conn.in_transaction
    assert len(store.get_entries(user, EntryFilter())) == before  # reads work, nothing half-written
    assert store.get_feed_state(feed).caching.etag == "v1"
    store.full = False  # space again: the retry succeeds
    store.apply_refresh(ok(feed, etag="v2"), _big(50))
    assert len(store.get_entries(user, EntryFilter(limit=500))) == before + 50
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_a_group_on_a_full_disk_fails_with_the_real_error(
    path: Path, seeded: tuple[UserId, int]
) -> None:
    _, feed = seeded
    store = FullStore(str(path))
    try:
        errors = store.apply_refreshes([(ok(feed, etag="v2"), _big(50)), (ok(feed), new(9))])
    except StorageFullError as exc:
        assert str(exc) == "database or disk is full"
    else:  # SQLite kept the transaction: each feed carries the error
        assert errors[0] is not None and str(errors[0]) == "database or disk is full"
    store.close()


# read-only: chmod works only for a user other than root; as root, a read-only
# bind mount of the folder in a private mount namespace (unshare -m) is the real thing


def read_only_command(folder: Path, argv: list[str]) -> list[str]:
    """``argv`` run with ``folder`` (and the files in it) read-only; skip if impossible."""
    if os.geteuid() != 0:
        for f in folder.iterdir():
            f.chmod(0o444)
        folder.chmod(0o555)
        return argv
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("root, and no mount namespace for a read-only bind mount")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *argv]


@pytest.fixture
def restore_modes(tmp_path: Path) -> Iterator[None]:
    yield
    for f in tmp_path.rglob("*"):
        with_write = 0o755 if f.is_dir() else 0o644
        f.chmod(with_write)
    tmp_path.chmod(0o755)


def test_a_read_only_database_opens_reads_and_refuses_writes(
    tmp_path: Path, restore_modes: None
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "t.db"
    store = SqliteStore(str(db))
    feed_with_entries(store, store.ensure_user("u"), n=3)
    store.close()
    assert sorted(p.name for p in folder.iterdir()) == ["t.db"]  # no -wal/-shm left
    code = textwrap.dedent(
        f"""
        from tidings.adapters.store.sqlite import SqliteStore
        from tidings.errors import StorageReadOnlyError
        from tidings.model import EntryFilter, EntryId
        store = SqliteStore({str(db)!r})
        user = store.get_users()[0].id
        print(len(store.get_entries(user, EntryFilter())))
        try:
            store.mark_entry(user, EntryId(1), starred=True, now=None)
        except StorageReadOnlyError as exc:
            print(exc)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        read_only_command(folder, [sys.executable, "-c", code]),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["3", f"the database is read-only: {db}"]
