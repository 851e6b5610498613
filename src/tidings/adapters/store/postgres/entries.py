"""A feed's entries in one statement on PostgreSQL (#13).

The shared upsert is one ``INSERT`` an entry (SQLite runs them in process). Sent
to a server, each is parsed and planned on its own; here a feed's entries go as
one ``INSERT ... SELECT FROM unnest(...)`` of typed arrays, one array a column
(each guid once: ``SqlStore._write_refresh`` keeps its last copy).
"""

from __future__ import annotations

from collections.abc import Sequence

from tidings.adapters.store.sql.db import Conn
from tidings.adapters.store.sql.rows import entry_params
from tidings.model import EntryUpdate, FeedUpdate

#: the upserted columns and their types, as ``sql/queries.UPSERT_ENTRY`` writes them
COLUMNS = (
    ("guid", "text"),
    ("title", "text"),
    ("link", "text"),
    ("author", "text"),
    ("published_at", "bigint"),
    ("updated_at", "bigint"),
    ("summary", "text"),
    ("content", "text"),
    ("categories", "text"),
    ("enclosures", "text"),
    ("image", "text"),
    ("comments", "text"),
    ("language", "text"),
    ("content_hash", "text"),
    ("first_seen_at", "bigint"),
    ("sort_at", "bigint"),
)
_NAMES = ", ".join(name for name, _ in COLUMNS)
_ARRAYS = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in COLUMNS)
_UPDATED = ", ".join(
    f"{name} = excluded.{name}"
    for name, _ in COLUMNS
    if name not in ("guid", "first_seen_at", "sort_at")
)

UPSERT_ENTRIES = f"""
INSERT INTO entries (feed_id, {_NAMES})
SELECT :feed_id, r.* FROM unnest({_ARRAYS}) AS r ({_NAMES})
ON CONFLICT (feed_id, guid) DO UPDATE SET {_UPDATED}
"""


class PostgresEntries:
    """``SqlStore._upsert_entries`` as one statement a feed."""

    def _upsert_entries(
        self, conn: Conn, update: FeedUpdate, entries: Sequence[EntryUpdate]
    ) -> None:
        rows = [
            entry_params(update.feed_id, e.data, e.content_hash, update.fetched_at) for e in entries
        ]
        params: dict[str, object] = {"feed_id": update.feed_id}
        for name, _ in COLUMNS:
            params[name] = [row[name] for row in rows]
        conn.execute(UPSERT_ENTRIES, params)
