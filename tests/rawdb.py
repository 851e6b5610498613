"""Plain SQL on a test's database, on either engine: what an older version or another
tool could leave there, and what a test reads back behind the Store's back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

SQLITE = "sqlite:///"


class RawDb:
    """One connection; ``execute`` takes SQLite's ``?`` placeholders on both engines."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.postgres:
            sql = sql.replace("?", "%s")
        return self.conn.execute(sql, params)

    def tables(self) -> list[str]:
        if self.postgres:
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() ORDER BY table_name"
            )
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        return [r[0] for r in self.execute(sql).fetchall()]

    def snapshot(self) -> list[str]:
        """Every row of every table, as text, in a stable order."""
        return [
            f"{table}: {row!r}"
            for table in self.tables()
            for row in sorted(self.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
        ]


@contextmanager
def raw_db(url: str) -> Iterator[RawDb]:
    """A connection to the database at ``url``, committed when the block ends."""
    if url.startswith(SQLITE):
        conn = sqlite3.connect(url.removeprefix(SQLITE), timeout=30)
        try:
            with conn:
                yield RawDb(conn, postgres=False)
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url) as pg:
        yield RawDb(pg, postgres=True)
