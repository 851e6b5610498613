"""``tidings copy-db`` (#13): one Tidings database copied into another, on either engine.

Both stores are opened, and so migrated (an older source is upgraded, as any
command would); a copy runs only between equal schema versions, into a target
that holds no rows. Tables go in foreign-key order with their ids, streamed from
one read snapshot of the source into one transaction of the target (``COPY`` on
PostgreSQL, ``executemany`` on SQLite): a copy that fails or is interrupted
leaves the target as it was.

Derived data is not copied but made: SQLite's FTS5 index fills from
``entry_search`` by its triggers, PostgreSQL's tsvector is a generated column
of it. The counters that triggers keep (``feeds.n_entries``,
``subscriptions.n_read``) count the copied rows on their way in; they are then
set to the source's values, and PostgreSQL's id sequences move past the
highest id.

Before the target commits, each table is verified: row count and checksum on
both sides. The checksum is the sum (mod 2**128) of a hash of each row's
values in a canonical form (int, float, text, bytes, NULL): a sum, so that it
does not depend on the order rows are read in (the engines' text collations
order keys differently) and still counts the duplicate rows of the keyless
``story_keys`` log.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tidings.adapters.store import (
    latest_schema_version,
    open_store,
    sqlite_path,
    stored_schema_version,
)
from tidings.adapters.store.sql.db import Conn, SqlDb
from tidings.errors import CopyRefusedError, SettingsError, StorageError, TidingsError
from tidings.model import CopyOutcome, CopyReport, TableCheck

__all__ = ["TABLES", "Table", "copied_tables", "copy_database"]

BATCH = 2000  # rows read from the source per step
_MOD = 2**128


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    #: the primary key: rows are read (and so written) in its order
    key: tuple[str, ...] = ("id",)
    #: columns that triggers keep: set to the source's values once the rows are in
    counters: tuple[str, ...] = ()


# Every table of the schema but ``schema_version``, parents before children.
TABLES = (
    Table("users"),
    Table("server_secrets", ("name",)),
    Table("sessions", ("token_hash",)),
    Table("api_tokens", ("token_hash",)),
    Table("publish_tokens", ("user_id",)),  # (#14)
    Table("publications"),
    Table("feeds", counters=("n_entries",)),
    Table("feed_story_options", ("feed_id",)),
    Table("feed_icons", ("feed_id",)),
    Table("websub_subscriptions", ("feed_id",)),
    Table("categories"),
    Table("subscriptions", ("user_id", "feed_id"), counters=("n_read",)),
    Table("rules"),
    Table("entries"),
    Table("entry_search"),
    Table("entry_states", ("user_id", "entry_id")),
    Table("entry_tags", ("user_id", "entry_id", "tag")),
    Table("playback_positions", ("user_id", "entry_id")),  # 0014 (#15)
    Table("saved_searches"),  # 0018 (#15)
    Table("story_keys", ()),  # an append-only log: no key
    Table("story_key_turns", ("key",)),  # the row locks of concurrent writers (0012)
    Table("entry_tombstones", ("feed_id", "guid")),  # deleted entries still in a feed (0017)
    Table("maintenance", ("name",)),  # the cleanup's lease (0017)
)
_BY_NAME = {t.name: t for t in TABLES}


def copied_tables(db: Any) -> list[str]:
    """The tables of ``db``'s schema a copy carries, in copy order (any it does not
    know at the end: a copy refuses to run while there are any)."""
    names = set(_as_db(db, "database")._table_columns())
    known = [t.name for t in TABLES if t.name in names]
    return known + sorted(names - set(known))


def copy_database(source_url: str, target_url: str, *, verify_only: bool = False) -> CopyReport:
    """Copy the database at ``source_url`` into the one at ``target_url`` (made and
    migrated if new), or with ``verify_only`` only compare them.

    Raises ``CopyRefusedError`` (no source, not a Tidings database, another schema
    version, a target with other rows), ``StorageError`` (either database failed;
    a failed copy wrote nothing), ``SettingsError`` (a URL that names no database).
    """
    started = time.monotonic()
    if _same_database(source_url, target_url):
        raise CopyRefusedError("the source and the target are the same database")
    version = _source_version(source_url)
    if verify_only and not _target_exists(target_url):
        raise CopyRefusedError("the target database holds no Tidings schema: nothing to verify")
    with _opened("source", source_url) as source, _opened("target", target_url) as target:
        notes = _check_versions(version, source, target)
        plan = _plan(source, target)
        if verify_only:
            checks = _compare(source, target, plan)
            outcome: CopyOutcome = "verified" if all(c.ok for c in checks) else "mismatch"
            return CopyReport(outcome, checks, time.monotonic() - started, notes)
        with target._snapshot() as conn:
            counts = _row_counts(conn, plan)
        if any(counts.values()):
            checks = _compare(source, target, plan)
            if all(c.ok for c in checks):
                return CopyReport("already copied", checks, time.monotonic() - started, notes)
            raise _not_empty(counts)
        try:
            checks = _copy(source, target, plan)
        except _Mismatch as failed:
            notes += ("the copy did not match its source: rolled back, nothing was written",)
            return CopyReport("mismatch", failed.checks, time.monotonic() - started, notes)
        except StorageError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise type(exc)(f"the copy failed, nothing was written: {first}") from exc
        except KeyboardInterrupt:  # Ctrl-C: the transaction was rolled back on its way here
            raise StorageError("the copy was interrupted, nothing was written") from None
        return CopyReport("copied", checks, time.monotonic() - started, notes)


# opening and refusing


def _same_database(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        pa, pb = sqlite_path(a), sqlite_path(b)
    except SettingsError:
        return False
    return os.path.exists(pa) and os.path.exists(pb) and os.path.samefile(pa, pb)


def _source_version(url: str) -> int:
    """The source's schema version before it is opened (a missing SQLite file is
    not made, a database of something else is not given Tidings' tables)."""
    try:
        version = stored_schema_version(url)
    except TidingsError as exc:
        raise type(exc)(f"source database: {exc}") from exc
    if version is None:
        raise CopyRefusedError(f"the source database does not exist: {sqlite_path(url)}")
    if version == 0:
        raise CopyRefusedError("the source is not a Tidings database (it has no schema_version)")
    latest = latest_schema_version(url)
    if version > latest:
        raise CopyRefusedError(
            f"the source's schema (v{version}) is newer than this Tidings knows (v{latest}): "
            "copy it with the Tidings that wrote it"
        )
    return version


def _target_exists(url: str) -> bool:
    try:
        return bool(stored_schema_version(url))
    except TidingsError as exc:
        raise type(exc)(f"target database: {exc}") from exc


def _as_db(store: Any, role: str) -> SqlDb:
    if not isinstance(store, SqlDb):
        raise CopyRefusedError(f"the {role} is no SQL database")
    return store


@contextmanager
def _opened(role: str, url: str) -> Iterator[SqlDb]:
    """The store at ``url`` (migrated); an error that says which database failed."""
    try:
        store = open_store(url)
    except TidingsError as exc:
        raise type(exc)(f"{role} database: {exc}") from exc
    try:
        yield _as_db(store, role)
    finally:
        store.close()


def _check_versions(before: int, source: SqlDb, target: SqlDb) -> tuple[str, ...]:
    now, theirs = source._schema_version(), target._schema_version()
    if now != theirs:
        raise CopyRefusedError(
            f"the schema versions differ: the source's is v{now}, the target's v{theirs}"
        )
    return (f"the source's schema was upgraded from v{before} to v{now}",) if before < now else ()


def _plan(source: SqlDb, target: SqlDb) -> list[tuple[Table, list[str]]]:
    """Each table with the columns to copy; refused if the schemas differ or hold a
    table this module does not know."""
    ours, theirs = source._table_columns(), target._table_columns()
    unknown = sorted((set(ours) | set(theirs)) - set(_BY_NAME))
    if unknown:
        raise CopyRefusedError(f"copy-db does not know the table(s) {', '.join(unknown)}")
    plan = []
    for table in TABLES:
        columns = ours.get(table.name)
        if columns is None or sorted(columns) != sorted(theirs.get(table.name, [])):
            raise CopyRefusedError(f"the schemas differ in table {table.name}")
        plan.append((table, columns))
    return plan


def _row_counts(conn: Conn, plan: Sequence[tuple[Table, list[str]]]) -> dict[str, int]:
    return {
        t.name: int(conn.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0]) for t, _ in plan
    }


def _not_empty(counts: dict[str, int]) -> CopyRefusedError:
    return CopyRefusedError(
        f"target is not empty: {counts['users']} users, {counts['feeds']} feeds, "
        f"{counts['entries']} entries; use --verify to compare"
    )


# reading, hashing and writing


def _select(table: Table, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    order = f" ORDER BY {', '.join(table.key)}" if table.key else ""
    return f'SELECT {names} FROM "{table.name}"{order}'


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    return value


class Tally:
    """Rows seen and the sum of their hashes; a table's count and checksum."""

    __slots__ = ("rows", "total")

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, batch: Sequence[Sequence[Any]]) -> None:
        total = self.total
        for row in batch:
            text = repr(tuple(_canonical(v) for v in row)).encode("utf-8", "surrogatepass")
            total += int.from_bytes(hashlib.blake2b(text, digest_size=16).digest(), "big")
        self.total = total % _MOD
        self.rows += len(batch)

    @property
    def checksum(self) -> str:
        return f"{self.total:032x}"


def _tally(db: SqlDb, conn: Conn, table: Table, columns: Sequence[str]) -> Tally:
    tally = Tally()
    for batch in db._iter_rows(conn, _select(table, columns), BATCH):
        tally.add(batch)
    return tally


def _check(name: str, source: Tally, target: Tally) -> TableCheck:
    return TableCheck(name, source.rows, target.rows, source.checksum, target.checksum)


def _compare(
    source: SqlDb, target: SqlDb, plan: Sequence[tuple[Table, list[str]]]
) -> tuple[TableCheck, ...]:
    with source._snapshot() as src, target._snapshot() as dst:
        return tuple(
            _check(t.name, _tally(source, src, t, cols), _tally(target, dst, t, cols))
            for t, cols in plan
        )


class _Mismatch(Exception):
    """The copy did not verify: raised inside the target's transaction to roll it back."""

    def __init__(self, checks: tuple[TableCheck, ...]) -> None:
        super().__init__("the copy does not match its source")
        self.checks = checks


def _copy(
    source: SqlDb, target: SqlDb, plan: Sequence[tuple[Table, list[str]]]
) -> tuple[TableCheck, ...]:
    """Every table, in one transaction of the target, verified before it commits."""
    with source._snapshot() as src, target._write() as dst:
        if any(_row_counts(dst, plan).values()):  # another copy got there first
            raise _not_empty(_row_counts(dst, plan))
        tallies: dict[str, Tally] = {}
        counters: dict[Table, list[list[Any]]] = {}
        undo = target._copy_started(dst, [t.name for t, _ in plan])
        for table, columns in plan:
            tally = tallies[table.name] = Tally()
            kept = counters[table] = []
            rows = source._iter_rows(src, _select(table, columns), BATCH)
            try:
                target._insert_rows(
                    dst, table.name, columns, _seen(rows, tally, table, columns, kept)
                )
            except StorageError as exc:
                raise type(exc)(f"table {table.name}: {exc}") from exc
        for table, values in counters.items():  # once every row is in: triggers are done
            if values:
                sets = ", ".join(f'"{c}" = ?' for c in table.counters)
                where = " AND ".join(f'"{k}" = ?' for k in table.key)
                dst.executemany(f'UPDATE "{table.name}" SET {sets} WHERE {where}', values)
        target._copy_finished(dst, undo)
        checks = tuple(
            _check(t.name, tallies[t.name], _tally(target, dst, t, cols)) for t, cols in plan
        )
        if not all(c.ok for c in checks):
            raise _Mismatch(checks)
    return checks


def _seen(
    batches: Iterable[list[tuple[Any, ...]]],
    tally: Tally,
    table: Table,
    columns: Sequence[str],
    counters: list[list[Any]],
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``batches``, counted and hashed on their way; the counter values
    (and keys) of each row kept in ``counters``."""
    at = [columns.index(c) for c in (*table.counters, *table.key)] if table.counters else []
    for batch in batches:
        tally.add(batch)
        if at:
            counters.extend([row[i] for i in at] for row in batch)
        yield from batch
