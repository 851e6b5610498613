"""The small database interface the shared SQL is written against (#10).

The domain mixins of ``sql/`` (feeds, reading, accounts, stories, rules, websub,
jobs) build on ``SqlDb``: ``_read`` for a query, ``_write`` for a transaction,
the engine's ``Dialect``, and the driver's error classes. An engine
(``sqlite.engine.SqliteEngine``, the PostgreSQL engine to come) implements
them; every driver error leaves the engine as ``StorageError``.

SQL here uses ``?`` or ``:name`` parameters (the PostgreSQL engine rewrites
them), rows are read by column name or position.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ClassVar, Protocol, TypeAlias

from tidings.adapters.store.sql.dialect import Dialect
from tidings.errors import StorageError
from tidings.model import EntryUpdate, FeedId

__all__ = ["Conn", "Cursor", "Params", "Row", "SqlDb"]

Params: TypeAlias = Mapping[str, Any] | Sequence[Any]
Row: TypeAlias = Any  # by name (row["id"]) and by position (row[0]), as sqlite3.Row


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Row: ...

    def fetchall(self) -> list[Row]: ...

    def __iter__(self) -> Any: ...


class Conn(Protocol):
    """A connection inside one of ``SqlDb._write``'s transactions."""

    def execute(self, sql: str, params: Params = ..., /) -> Cursor: ...

    def executemany(self, sql: str, params: Iterable[Params], /) -> Cursor: ...


class SqlDb:
    """What the shared SQL needs from an engine (implemented by each engine)."""

    dialect: ClassVar[Dialect]
    #: the driver's base error (caught where one feed's statements may fail alone)
    driver_error: ClassVar[type[Exception]]

    def _read(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one query; ``StorageError`` for a driver failure."""
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Conn]:
        """One write transaction, committed on exit, rolled back on an exception;
        a driver failure anywhere in it comes out as ``StorageError``."""
        raise NotImplementedError

    def _error(self, exc: Exception) -> StorageError:
        """The ``StorageError`` (of the right kind: locked, full, read-only) for a
        driver error caught inside a transaction."""
        return StorageError(str(exc))

    def _pipeline(self, conn: Conn) -> AbstractContextManager[object]:
        """A block of ``conn``'s statements sent without waiting for each one's
        answer, where the driver can (PostgreSQL's pipeline mode): a statement
        whose rows are read waits for all before it. Here: nothing changes."""
        return nullcontext()

    def _index_entries(self, conn: Conn, feed_id: FeedId, entries: Sequence[EntryUpdate]) -> None:
        """Write the searchable text of ``entries`` in the refresh's transaction
        (the engine's full-text search: FTS5 on SQLite)."""
        raise NotImplementedError

    # copying a whole database (``store.transfer``, ``tidings copy-db``, #13)

    def _schema_version(self) -> int:
        """The version of the schema (the last migration applied)."""
        raise NotImplementedError

    def _table_columns(self) -> dict[str, list[str]]:
        """Each table's columns a copy writes, in order (not the derived ones: the
        FTS5 index, generated columns; not ``schema_version``)."""
        raise NotImplementedError

    def _snapshot(self) -> AbstractContextManager[Conn]:
        """A read-only transaction: all its reads see the database as at its start."""
        raise NotImplementedError

    def _iter_rows(self, conn: Conn, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``sql`` (no parameters), ``size`` at a time, read as they go."""
        raise NotImplementedError

    def _insert_rows(
        self, conn: Conn, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Add ``rows`` (values of ``columns``) to ``table``, in ``conn``'s transaction."""
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        try:
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        except self.driver_error as exc:
            raise self._error(exc) from exc

    def _copy_started(self, conn: Conn, tables: Sequence[str]) -> list[str]:
        """Before a copy's rows go in (its transaction): what makes them go in
        faster; returns what ``_copy_finished`` needs to undo it."""
        return []

    def _copy_finished(self, conn: Conn, undo: Sequence[str]) -> None:
        """After a copy's rows are in (same transaction): undo ``_copy_started``
        and what else the engine needs (PostgreSQL's id sequences move past the ids)."""
