"""The SQLite engine: connections, write transactions and migrations.

WAL journal, a busy timeout, ``BEGIN IMMEDIATE`` for every write and one
writer lock per process: a feed refresh is one transaction that writes the
entries together with the feed's validators, so a crash can never leave new
validators without their entries (HOSTILE F1, F5).

Other processes on the same file (``serve``, ``worker``, ``refresh`` at once)
take turns: a write that finds the file locked waits at its ``BEGIN IMMEDIATE``
(nothing done yet, so waiting and trying again is safe) for up to
``lock_wait`` seconds in all, then fails as ``StorageLockedError`` (#11).
Driver errors leave as ``StorageError``, the ones a user can act on as its
kinds: locked, full (``SQLITE_FULL``), read-only (``SQLITE_READONLY``). A file
that cannot be written (its mode, or a read-only file system) is opened
read-only: reads work, every write is ``StorageReadOnlyError`` (#11).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from tidings.adapters.store.sql.db import Conn, Params, SqlDb
from tidings.adapters.store.sql.dialect import SQLITE
from tidings.errors import (
    StorageError,
    StorageFullError,
    StorageLockedError,
    StorageReadOnlyError,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000  # one BEGIN's wait (SQLite's busy handler)
LOCK_WAIT_SECONDS = 30.0  # a write's whole wait for another process's lock
DERIVED_TABLES = "entries_fts"  # FTS5 and its shadow tables: entry_search's triggers fill them
WRITER_CACHE_KIB = 16 * 1024  # page cache of a connection that writes (default 2 MiB)


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("tidings.adapters.store.sqlite") / "migrations"
    found = []
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.read_text("utf-8")))
    return sorted(found)


def _statements(script: str) -> Iterator[str]:
    buf: list[str] = []
    for line in script.splitlines(keepends=True):
        buf.append(line)
        text = "".join(buf)
        if sqlite3.complete_statement(text):
            if text.strip():
                yield text
            buf = []


def latest_schema_version() -> int:
    return _migrations()[-1][0]


def stored_schema_version(path: str) -> int | None:
    """The schema version of the file at ``path``, read without changing it: None
    when there is no such file, 0 when it is no Tidings database."""
    if path == ":memory:" or not os.path.isfile(path):
        return None
    try:
        with contextlib.closing(sqlite3.connect(_read_only_uri(path), uri=True)) as conn:
            found = "SELECT 1 FROM sqlite_master WHERE name = 'schema_version'"
            if not conn.execute(found).fetchone():
                return 0
            return int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
    except sqlite3.Error as exc:
        raise type(storage_error(exc))(f"cannot read {path}: {exc}") from exc


def storage_error(exc: sqlite3.Error) -> StorageError:
    """The ``StorageError`` for a driver error: its kind, with a message a user can act on."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageLockedError(f"database is locked ({exc})")
    if code == sqlite3.SQLITE_FULL:
        return StorageFullError("database or disk is full")
    if code == sqlite3.SQLITE_READONLY:
        return StorageReadOnlyError("the database is read-only")
    return StorageError(str(exc))


def _is_locked(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def _read_only(path: str) -> bool:
    """Whether ``path`` (an existing database) cannot be written: its mode, its
    file system, or a folder where the WAL's files cannot be made."""
    if path == ":memory:" or not os.path.exists(path):
        return False
    if not os.access(path, os.W_OK):
        return True
    folder = os.path.dirname(os.path.abspath(path))
    sidecars = all(os.access(path + ext, os.W_OK) for ext in ("-wal", "-shm"))
    return not os.access(folder, os.W_OK) and not sidecars


def _read_only_uri(path: str) -> str:
    """A read-only URI for ``path``. Without a ``-shm`` file (and no folder to make
    one in) SQLite cannot open a WAL database even read-only, unless it is told the
    file is immutable, which is only true when no write-ahead log is left over."""
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    wal = path + "-wal"
    if not os.path.exists(path + "-shm") and (not os.path.exists(wal) or not os.path.getsize(wal)):
        uri += "&immutable=1"
    return uri


class SqliteEngine(SqlDb):
    """One SQLite file: per-thread connections, one writer, migrations.

    The shared SQL's domain mixins (``sql/``) build on ``_read`` and ``_write``;
    ``sqlite.SqliteStore`` puts them together with FTS5 search.
    """

    dialect = SQLITE
    driver_error = sqlite3.Error
    write_group = 200  # one commit (and one FTS segment) for many feeds (#4)

    def __init__(
        self,
        path: str,
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.lock_wait = lock_wait
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        #: the file cannot be written: opened read-only, every write refused (#11)
        self.read_only = _read_only(path)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._migrate()

    # connections and transactions

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    _read_only_uri(self.path) if self.read_only else self.path,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=self.busy_timeout_ms / 1000,
                    uri=self.read_only,
                )
                conn.row_factory = sqlite3.Row
                if not self.read_only:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
                conn.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error as exc:
                raise type(storage_error(exc))(f"cannot open {self.path}: {exc}") from exc
            self._local.conn = conn
            self._all.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE), serialized in this process.

        A driver error anywhere in it, the body's statements included, rolls the
        transaction back and comes out as ``StorageError``.
        """
        if self.read_only:
            raise StorageReadOnlyError(f"the database is read-only: {self.path}")
        with self._write_lock:
            conn = self._conn()
            try:
                if not getattr(self._local, "writes", False):
                    # Refresh writes touch B-trees at random (search index, story keys):
                    # a bigger page cache for connections that write cuts ~10% (16 MiB;
                    # 32 MiB: ~15%, but the refresh of 2,000 feeds then peaked above
                    # 300 MB; #4).
                    conn.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
                    self._local.writes = True
                self._begin(conn)
            except sqlite3.Error as exc:
                raise storage_error(exc) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(conn)
                raise storage_error(exc) from exc
            except BaseException:
                self._rollback(conn)
                raise

    def _begin(self, conn: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE``, waiting for another process's write to end.

        Each try waits ``busy_timeout`` in SQLite's busy handler; a try that still
        finds the file locked sleeps a jittered, growing pause (so two waiting
        processes do not keep colliding) and tries again, for ``lock_wait``
        seconds in all. Nothing has run yet, so trying again is safe.
        """
        deadline = time.monotonic() + self.lock_wait
        pause = 0.05
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                left = deadline - time.monotonic()
                if not _is_locked(exc) or left <= 0:
                    if _is_locked(exc):
                        raise StorageLockedError(
                            f"database is locked: another process kept writing "
                            f"for over {self.lock_wait:g} s"
                        ) from exc
                    raise
                time.sleep(min(left, pause * random.uniform(0.5, 1.5)))
                pause = min(pause * 2, 1.0)

    def _error(self, exc: Exception) -> StorageError:
        return storage_error(exc) if isinstance(exc, sqlite3.Error) else StorageError(str(exc))

    def _rollback(self, conn: sqlite3.Connection) -> None:
        """Roll back what is left of a failed transaction (SQLite may have done it already).

        A connection that cannot roll back is closed and forgotten, so the next call
        in this thread starts on a new one instead of inside a broken transaction.
        """
        if not conn.in_transaction:
            return
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            self._forget(conn)

    def _forget(self, conn: sqlite3.Connection) -> None:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        if conn in self._all:
            self._all.remove(conn)
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
            self._local.writes = False

    def _read(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc

    def close(self) -> None:
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()

    # copying a whole database (``store.transfer``, #13)

    def _table_columns(self) -> dict[str, list[str]]:
        names = self._read(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND name != 'schema_version' ORDER BY name"
        )
        return {
            name: [c["name"] for c in self._read(f'PRAGMA table_info("{name}")')]
            for (name,) in names
            if not name.startswith(DERIVED_TABLES)
        }

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: its first read fixes what all of them see (WAL)."""
        conn = self._conn()
        try:
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc
        try:
            yield conn
        finally:
            self._rollback(conn)

    def _iter_rows(self, conn: Conn, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
        try:
            cur = cast(sqlite3.Connection, conn).cursor()
            cur.row_factory = None
            cur.execute(sql)
            while rows := cur.fetchmany(size):
                yield rows
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc

    def _schema_version(self) -> int:
        if not self._read("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'"):
            return 0
        return int(self._read("SELECT MAX(version) FROM schema_version")[0][0] or 0)

    def _migrate(self) -> None:
        """Bring the schema up to date. Only a file behind it is written: opening
        never waits for another process's writes, and a read-only file opens."""
        migrations = _migrations()
        try:
            if self._schema_version() >= migrations[-1][0]:
                if self.read_only:
                    log.warning("the database %s is read-only: reads work, changes fail", self.path)
                return
            if self.read_only:
                raise StorageReadOnlyError(
                    f"the database is read-only and its schema needs an upgrade: {self.path}"
                )
            with self._write() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                current = row[0] or 0
                for version, script in migrations:
                    if version <= current:
                        continue
                    for statement in _statements(script):
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        except StorageError as exc:
            raise type(exc)(f"migration failed: {exc}") from exc
