"""Storage engines; ``open_store(url)`` picks one by the URL's scheme."""

from __future__ import annotations

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


def open_store(url: str) -> Store:
    """Open (and migrate) the database at ``url``."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in {"postgres", "postgresql"}:
        raise SettingsError(
            "Tidings stores its data in SQLite; postgresql:// URLs are not supported: "
            "use sqlite:///path"
        )
    if scheme in {"sqlite", ""} or len(scheme) == 1:  # bare path (or a Windows drive letter)
        from tidings.adapters.store.sqlite import SqliteStore

        return SqliteStore(sqlite_path(url))
    raise SettingsError(f"unsupported database URL: {url!r}")
