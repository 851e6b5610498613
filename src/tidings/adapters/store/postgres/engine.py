"""The PostgreSQL engine: a connection pool, write transactions and migrations.

Every ``_read`` and ``_write`` borrows a connection from a
``psycopg_pool.ConnectionPool``; a write is one transaction, committed on exit
and rolled back on an exception. The shared SQL's ``:name`` and ``?``
parameters are rewritten to psycopg's, and bound on the client
(``ClientCursor``): like SQLite, a ``NULL`` parameter then needs no type, so
``:read IS NULL`` runs as the shared SQL means it.

Migrations (``postgres/migrations``, numbered as SQLite's) run at open in one
transaction under an advisory lock, so two processes starting at once take
turns and the second finds the schema current. Driver errors leave as
``StorageError``: a lost connection says so; lock and serialization failures,
and a statement cancelled (past ``statement_timeout``), are
``StorageLockedError``; a full disk ``StorageFullError``, a read-only server
``StorageReadOnlyError``.
"""

from __future__ import annotations

import functools
import logging
import select
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from typing import Any, cast

import psycopg
import psycopg.errors
from psycopg import sql as pgsql
from psycopg.pq import ConnStatus
from psycopg.rows import RowMaker, tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout

from tidings.adapters.store.sql.db import Conn, Params, SqlDb
from tidings.adapters.store.sql.dialect import POSTGRES
from tidings.adapters.store.sql.queries import to_pyformat
from tidings.errors import (
    StorageError,
    StorageFullError,
    StorageLockedError,
    StorageReadOnlyError,
)

log = logging.getLogger(__name__)

POOL_MAX = 8  # connections per process
POOL_TIMEOUT = 30.0  # seconds a call waits for a free connection
# psycopg_pool retries a failed connection after 1, 2, 4, 8 ... s (until its
# reconnect_timeout, 5 min): a server back during a long pause waited out the pause
# (45 s away, then 18 s more; #13). An attempt gives up after RECONNECT_SECONDS
# instead, and a call still waiting asks again every RECONNECT_SECONDS, which
# starts a fresh attempt at once: back within that of the server.
RECONNECT_SECONDS = 2.0
# libpq waits for ever for a server that accepts and never answers (hung, or a
# black hole between): each pool connection gives up after this, unless the URL
# sets its own connect_timeout (hung connects had taken the pool's threads for good).
CONNECT_TIMEOUT = 10
LOCK_WAIT_SECONDS = 30.0  # a statement's wait for another transaction's row lock
# A connection back in the pool within this is checked without a round trip (has
# its socket anything to read: a server going away says so); one idle longer asks the server
# (``SELECT 1``: a connection a firewall dropped answers nothing). Each check a
# round trip had been a third of a warm refresh's (#13).
CHECK_IDLE_SECONDS = 10.0
MIGRATION_LOCK = 0x7469_6469_6E67  # pg_advisory_xact_lock key: "tiding"


class _LostConnection(Exception):
    """A read's connection was lost (``error``): the read may be asked again."""

    def __init__(self, error: psycopg.OperationalError) -> None:
        super().__init__(str(error))
        self.error = error


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("tidings.adapters.store.postgres") / "migrations"
    found = []
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.read_text("utf-8")))
    return sorted(found)


def latest_schema_version() -> int:
    return _migrations()[-1][0]


def stored_schema_version(url: str) -> int:
    """The schema version of the database at ``url``, read without changing it
    (0: it holds no Tidings schema)."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            found = conn.execute("SELECT to_regclass('schema_version')").fetchone()
            if not found or found[0] is None:
                return 0
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int((row[0] if row else None) or 0)
    except psycopg.OperationalError as exc:
        raise StorageError(f"cannot connect to PostgreSQL at {_safe(url)}: {exc}") from exc
    except psycopg.Error as exc:
        raise storage_error(exc) from exc


class Row:
    """A result row read by column name (``row["id"]``) or position (``row[0]``),
    as ``sqlite3.Row``: iterating it gives the values."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values
        return self._values == other

    def __hash__(self) -> int:
        return hash(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    names = [c.name for c in cursor.description or ()]
    index = {name: i for i, name in reversed(list(enumerate(names)))}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


@functools.lru_cache(maxsize=1024)
def pg_sql(sql: str, named: bool) -> str:
    """The shared SQL with psycopg's parameters: ``%(name)s`` for ``:name``, ``%s`` for ``?``."""
    if named:
        return to_pyformat(sql)
    return sql.replace("%", "%%").replace("?", "%s")


def _bind(sql: str, params: Params) -> tuple[str, Params | None]:
    if isinstance(params, Mapping):
        return pg_sql(sql, True), params
    if not params:
        return pg_sql(sql, False), None
    return pg_sql(sql, False), params


def storage_error(exc: Exception) -> StorageError:
    """The ``StorageError`` for a driver error: its kind, with a message a user can act on."""
    if isinstance(
        exc,
        psycopg.errors.SerializationFailure
        | psycopg.errors.DeadlockDetected
        | psycopg.errors.LockNotAvailable,
    ):
        return StorageLockedError(f"database is locked ({exc})")
    if isinstance(exc, psycopg.errors.QueryCanceled):  # statement_timeout, or an admin's cancel
        return StorageLockedError(f"the database took too long ({exc})")
    if isinstance(exc, psycopg.errors.DiskFull):
        return StorageFullError("database or disk is full")
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return StorageReadOnlyError("the database is read-only")
    if isinstance(exc, PoolTimeout):
        return StorageError(f"no connection to PostgreSQL became free in time ({exc})")
    if isinstance(exc, psycopg.OperationalError) and (
        exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P"))
    ):
        return StorageError(f"lost the connection to PostgreSQL ({exc})".strip())
    return StorageError(str(exc))


class PgConn:
    """A connection inside one of ``PostgresEngine._write``'s transactions (``sql.db.Conn``)."""

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self._conn = conn

    @property
    def connection(self) -> psycopg.Connection[Row]:
        """The driver's connection (for COPY and server-side cursors)."""
        return self._conn

    def execute(self, sql: str, params: Params = (), /) -> psycopg.Cursor[Row]:
        query, bound = _bind(sql, params)
        return self._conn.execute(query, bound)

    def executemany(self, sql: str, params: Iterable[Params], /) -> psycopg.Cursor[Row]:
        rows = list(params)
        cur = self._conn.cursor()
        if rows:
            query, _ = _bind(sql, rows[0])
            cur.executemany(query, rows)
        return cur


class PostgresEngine(SqlDb):
    """One PostgreSQL database: a connection pool, transactions, migrations.

    The shared SQL's domain mixins (``sql/``) build on ``_read`` and ``_write``;
    ``postgres.PostgresStore`` puts them together with tsvector search.
    """

    dialect = POSTGRES
    driver_error = psycopg.Error
    #: a group's feeds are savepoints: past 64 subtransactions (PGPROC_MAX_CACHED_SUBXIDS)
    #: the backend's cache overflows, and while the group runs every other
    #: backend's snapshot looks its subtransactions up in pg_subtrans
    write_group = 64

    def __init__(
        self,
        url: str,
        *,
        max_size: int = POOL_MAX,
        timeout: float = POOL_TIMEOUT,
        lock_wait: float = LOCK_WAIT_SECONDS,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        self.url = url
        self.lock_wait = lock_wait
        self.timeout = timeout
        options: dict[str, Any] = {
            "row_factory": row_factory,
            "cursor_factory": psycopg.ClientCursor,
        }
        if "connect_timeout" not in _conninfo(url):
            options["connect_timeout"] = max(2, connect_timeout)  # libpq's least
        #: this thread's connection while a ``_write`` is open (a read inside it sees its writes)
        self._local = threading.local()
        #: when each connection was last given back to the pool (``_check``)
        self._returned: weakref.WeakKeyDictionary[psycopg.Connection[Row], float] = (
            weakref.WeakKeyDictionary()
        )
        self._pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            timeout=timeout,
            open=False,
            kwargs=options,
            check=self._check,
            configure=self._configure,
            reconnect_timeout=RECONNECT_SECONDS,
        )
        try:  # one connection first: a server that refuses fails now, not after the pool's wait
            psycopg.connect(url, connect_timeout=max(2, round(timeout))).close()
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {_safe(url)}: {exc}") from exc
        try:
            self._pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            self._pool.close()
            raise StorageError(f"cannot connect to PostgreSQL at {_safe(url)}: {exc}") from exc
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def _check(self, conn: psycopg.Connection[Row]) -> None:
        """The pool's check of a connection it hands out (see ``CHECK_IDLE_SECONDS``)."""
        returned = self._returned.get(conn)
        idle = returned is None or time.monotonic() - returned > CHECK_IDLE_SECONDS
        # an idle connection is sent nothing, unless the server is going (its FATAL)
        if idle or conn.pgconn.status != ConnStatus.OK or select.select([conn], [], [], 0)[0]:
            ConnectionPool.check_connection(conn)

    def _putconn(self, conn: psycopg.Connection[Row]) -> None:
        self._returned[conn] = time.monotonic()
        self._pool.putconn(conn)  # a broken one is replaced

    def _configure(self, conn: psycopg.Connection[Row]) -> None:
        """A new connection's settings: a write waits ``lock_wait`` for a row lock, then
        fails (``StorageLockedError``) instead of waiting for ever."""
        lock_timeout = f"{max(1, round(self.lock_wait * 1000))}ms"
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
        # no JIT: it compiled for ~290 ms before a 1 ms lookup whose cost was overestimated
        conn.execute("SELECT set_config('jit', 'off', false)")
        # no parallel workers: starting them cost a page ~7 ms before it read 30 rows,
        # and they take the cores other requests and workers want
        conn.execute("SELECT set_config('max_parallel_workers_per_gather', '0', false)")
        conn.commit()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Row]]:
        """A pooled connection in a transaction: committed when the block ends, rolled
        back on an exception; a driver error comes out as ``StorageError``. Inside
        this thread's open transaction, that transaction's connection."""
        outer: psycopg.Connection[Row] | None = getattr(self._local, "conn", None)
        if outer is not None:
            yield outer
            return
        try:
            conn = self._getconn()
            try:
                with conn:  # commit, or roll back on an exception
                    self._local.conn = conn
                    try:
                        yield conn
                    finally:
                        self._local.conn = None
            finally:
                self._putconn(conn)
        except PoolTimeout as exc:
            raise self._unavailable(exc) from exc
        except psycopg.Error as exc:
            raise storage_error(exc) from exc

    def _unavailable(self, exc: PoolTimeout) -> StorageError:
        """Why no connection came in time: the server refuses or is away (said so),
        or every connection of the pool was busy."""
        try:
            psycopg.connect(self.url, connect_timeout=2).close()
        except psycopg.Error as refused:
            return StorageError(f"cannot connect to PostgreSQL at {_safe(self.url)}: {refused}")
        return storage_error(exc)

    def _getconn(self) -> psycopg.Connection[Row]:
        """A connection from the pool within ``timeout``, asked for again every
        ``RECONNECT_SECONDS`` (each ask may start a fresh connection attempt)."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            try:
                return self._pool.getconn(timeout=max(0.01, min(left, RECONNECT_SECONDS)))
            except PoolTimeout:
                if time.monotonic() >= deadline:
                    waited = f"couldn't get a connection after {self.timeout:.2f} sec"
                    raise PoolTimeout(waited) from None

    @contextmanager
    def _write(self) -> Iterator[PgConn]:
        with self._connection() as conn:
            yield PgConn(conn)

    def _pipeline(self, conn: Conn) -> AbstractContextManager[object]:
        return cast(PgConn, conn).connection.pipeline()

    def _error(self, exc: Exception) -> StorageError:
        return storage_error(exc) if isinstance(exc, psycopg.Error) else StorageError(str(exc))

    def _read(self, sql: str, params: Params = ()) -> list[Row]:
        """One statement's rows. Outside a transaction it runs in autocommit (under
        READ COMMITTED one statement sees one snapshot either way, and BEGIN and
        COMMIT would be a round trip each), and is asked once more on another
        connection if its connection turns out lost (the server went since the
        pool's check: ``_check``)."""
        query, bound = _bind(sql, params)
        if getattr(self._local, "conn", None) is not None:
            with self._connection() as conn:  # the open write's, which sees its writes
                return conn.execute(query, bound).fetchall()
        try:
            try:
                return self._autocommit_read(query, bound)
            except _LostConnection:
                try:
                    return self._autocommit_read(query, bound)
                except _LostConnection as lost:
                    raise lost.error from None
        except PoolTimeout as exc:
            raise self._unavailable(exc) from exc
        except psycopg.Error as exc:
            raise storage_error(exc) from exc

    def _autocommit_read(self, query: str, bound: Any) -> list[Row]:
        conn = self._getconn()
        try:
            conn.autocommit = True
            try:
                return conn.execute(query, bound).fetchall()
            except psycopg.OperationalError as exc:
                if conn.broken:
                    raise _LostConnection(exc) from exc
                raise
            finally:
                if not conn.closed:
                    conn.autocommit = False
        finally:
            self._putconn(conn)

    def close(self) -> None:
        self._pool.close()

    # copying a whole database (``store.transfer``, #13)

    def _schema_version(self) -> int:
        rows = self._read("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    def _table_columns(self) -> dict[str, list[str]]:
        rows = self._read(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
            "AND c.is_generated = 'NEVER' AND c.table_name <> 'schema_version' "
            "ORDER BY c.table_name, c.ordinal_position"
        )
        found: dict[str, list[str]] = {}
        for table, column in rows:
            found.setdefault(table, []).append(column)
        return found

    @contextmanager
    def _snapshot(self) -> Iterator[PgConn]:
        with self._connection() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PgConn(conn)

    def _iter_rows(self, conn: Conn, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
        pg = cast(PgConn, conn).connection
        try:
            with pg.cursor(name="tidings_copy", row_factory=tuple_row) as cur:
                cur.itersize = size
                cur.execute(sql)
                while rows := cur.fetchmany(size):
                    yield rows
        except psycopg.Error as exc:
            raise storage_error(exc) from exc

    def _insert_rows(
        self, conn: Conn, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """``COPY ... FROM STDIN``: the rows stream to the server."""
        query = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(table), pgsql.SQL(", ").join(map(pgsql.Identifier, columns))
        )
        try:
            with cast(PgConn, conn).connection.cursor().copy(query) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise storage_error(exc) from exc

    def _copy_started(self, conn: Conn, tables: Sequence[str]) -> list[str]:
        """The tables' triggers off (the copy sets their counters once the rows are
        in) and their secondary indexes dropped, to be built at once at the end:
        a copy of 50,000 entries took 52 s with them, 28-35 s without (the search
        text's GIN index above all). The statements that undo this are returned
        for ``_copy_finished``; a rollback undoes it too. A role that does not
        own the tables cannot: the copy then runs with both, slower."""
        pg = cast(PgConn, conn).connection
        indexes = pg.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
            "AND c.connamespace = to_regnamespace(current_schema()))",
            (list(tables),),
        ).fetchall()
        undo = [definition for _, definition in indexes]
        try:
            with pg.transaction():  # a savepoint
                for name, _ in indexes:
                    pg.execute(pgsql.SQL("DROP INDEX {}").format(pgsql.Identifier(name)))
                for table in tables:
                    ident = pgsql.Identifier(table)
                    pg.execute(pgsql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(ident))
                    undo.append(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        except psycopg.errors.InsufficientPrivilege as exc:
            log.warning("copy: triggers and indexes stay on (%s): slower", exc)
            return []
        return undo

    def _copy_finished(self, conn: Conn, undo: Sequence[str]) -> None:
        """What ``_copy_started`` turned off, on again; the next id of every
        identity column past the highest one copied; and the planner's statistics
        of the copied tables (``ANALYZE``, which sees this transaction's rows):
        without them the first queries on a million copied entries plan as if
        the tables were empty, until autovacuum's next look, or forever where
        autovacuum is off."""
        pg = cast(PgConn, conn).connection
        for statement in undo:
            pg.execute(statement.encode())  # DDL from the catalog, no parameters
        tables = pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        names = pgsql.SQL(", ").join(pgsql.Identifier(name) for (name,) in tables)
        pg.execute(pgsql.SQL("ANALYZE {}").format(names))
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall():
            top = pgsql.SQL("SELECT COALESCE(MAX({}), 0) + 1 FROM {}").format(
                pgsql.Identifier(column), pgsql.Identifier(table)
            )
            query = pgsql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), ({}), false)").format(
                top
            )
            cast(PgConn, conn).connection.execute(query, (f'"{table}"', column))

    def _migrate(self) -> None:
        """Bring the schema up to date, in one transaction under an advisory lock
        (another process migrating at the same time waits, then finds it current)."""
        migrations = _migrations()
        try:
            with self._connection() as conn:
                # a long migration elsewhere: wait for it, whatever the URL's statement_timeout
                conn.execute("SET LOCAL lock_timeout = 0")
                conn.execute("SET LOCAL statement_timeout = 0")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
                current = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                version_now = (current[0] if current else None) or 0
                for version, script in migrations:
                    if version <= version_now:
                        continue
                    conn.execute(script)  # no parameters: '%' in the script is literal
                    conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
        except StorageError as exc:
            raise type(exc)(f"migration failed: {exc}") from exc


def _conninfo(url: str) -> dict[str, Any]:
    try:
        return psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return {}


def _safe(url: str) -> str:
    """``url`` without its password, for messages."""
    info = _conninfo(url)
    if not info:
        return "the configured URL"
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())
