"""Storage engines; ``open_store(url)`` picks one by the URL's scheme."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from tidings.errors import SettingsError
from tidings.ports import Store


def sqlite_path(url: str) -> str:
    """The file path in ``sqlite:///relative``, ``sqlite:////absolute`` or a bare path."""
    if url.startswith("sqlite:"):
        rest = url[len("sqlite:") :]
        if rest.startswith("///"):
            return unquote(rest[3:]) or ":memory:"
        if rest.startswith("//"):
            raise SettingsError(f"sqlite URL needs three slashes: {url!r}")
        return unquote(rest) or ":memory:"
    return url


def open_store(url: str, *, make_dir: bool = False) -> Store:
    """Open (and migrate) the database at ``url``: ``postgresql://`` (or ``postgres://``)
    for PostgreSQL, else SQLite, whose directory must exist unless ``make_dir``
    (the default data directory is made; a mistyped path is an error)."""
    scheme = urlsplit(url).scheme.lower()
    if _is_postgres(url):
        from tidings.adapters.store.postgres import PostgresStore

        return PostgresStore(url)
    if scheme in {"sqlite", ""} or len(scheme) == 1:  # bare path (or a Windows drive letter)
        from tidings.adapters.store.sqlite import SqliteStore

        path = sqlite_path(url)
        parent = Path(path).parent
        if path != ":memory:" and not parent.is_dir():
            if not make_dir:
                raise SettingsError(
                    f"the database's directory does not exist: {parent} "
                    "(create it first, or give another sqlite:///path)"
                )
            parent.mkdir(parents=True, exist_ok=True)
        return SqliteStore(path)
    raise SettingsError(f"unsupported database URL: {url!r}")


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.lower() in {"postgres", "postgresql"}


def stored_schema_version(url: str) -> int | None:
    """The schema version of the database at ``url``, read without migrating it:
    None for a SQLite file that does not exist, 0 for a database with no Tidings schema."""
    if _is_postgres(url):
        from tidings.adapters.store.postgres.engine import stored_schema_version as pg_version

        return pg_version(url)
    from tidings.adapters.store.sqlite.engine import stored_schema_version as sqlite_version

    return sqlite_version(sqlite_path(url))


def latest_schema_version(url: str) -> int:
    """The schema version this Tidings migrates the engine of ``url`` to."""
    if _is_postgres(url):
        from tidings.adapters.store.postgres.engine import latest_schema_version as pg_latest

        return pg_latest()
    from tidings.adapters.store.sqlite.engine import latest_schema_version as sqlite_latest

    return sqlite_latest()
