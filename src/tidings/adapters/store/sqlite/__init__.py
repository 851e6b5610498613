"""The SQLite engine: one file, WAL, one writer thread, FTS5 search, its migrations."""

from tidings.adapters.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
