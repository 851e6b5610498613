"""The SQLite engine: connections, write transactions and migrations.

WAL journal, a busy timeout, ``BEGIN IMMEDIATE`` for every write and one
writer lock per process: a feed refresh is one transaction that writes the
entries together with the feed's validators, so a crash can never leave new
validators without their entries (HOSTILE F1, F5).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from tidings.adapters.store.sql.db import Params, SqlDb
from tidings.adapters.store.sql.dialect import SQLITE
from tidings.errors import StorageError

BUSY_TIMEOUT_MS = 5000
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


class SqliteEngine(SqlDb):
    """One SQLite file: per-thread connections, one writer, migrations.

    The shared SQL's domain mixins (``sql/``) build on ``_read`` and ``_write``;
    ``sqlite.SqliteStore`` puts them together with FTS5 search.
    """

    dialect = SQLITE
    driver_error = sqlite3.Error

    def __init__(self, path: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
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
                    self.path,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=self.busy_timeout_ms / 1000,
                )
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
                conn.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open {self.path}: {exc}") from exc
            self._local.conn = conn
            self._all.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE), serialized in this process.

        A driver error anywhere in it, the body's statements included, rolls the
        transaction back and comes out as ``StorageError``.
        """
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
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(str(exc)) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(conn)
                raise StorageError(str(exc)) from exc
            except BaseException:
                self._rollback(conn)
                raise

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
            raise StorageError(str(exc)) from exc

    def close(self) -> None:
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()

    def _migrate(self) -> None:
        try:
            with self._write() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                current = row[0] or 0
                for version, script in _migrations():
                    if version <= current:
                        continue
                    for statement in _statements(script):
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        except StorageError as exc:
            raise StorageError(f"migration failed: {exc}") from exc
