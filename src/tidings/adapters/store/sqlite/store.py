"""The SQLite storage engine: the Store protocol on one SQLite file."""

from __future__ import annotations

from tidings.adapters.store.sql.store import SqlStore
from tidings.adapters.store.sqlite.engine import SqliteEngine
from tidings.adapters.store.sqlite.search import SqliteSearch


class SqliteStore(SqliteSearch, SqlStore, SqliteEngine):
    """A Store on one SQLite file (WAL, busy timeout, BEGIN IMMEDIATE writes, FTS5)."""
