"""Full-text search on SQLite FTS5 (the dialect-specific half of ``tidings.core.search``).

```entry_search`` holds each entry's title and plain text; ``entries_fts`` (an
external-content FTS5 table kept in sync by triggers) indexes it. The refresh
write path calls ``_index_entries`` in the same transaction as the entries, and
a trigger drops the text when an entry is deleted.

Ranking: BM25 (titles weigh five times the text) over the newest ``WINDOW``
matches, so a common word costs the same as a rare one, and a news reader's
results stay recent; a query selective enough to have fewer matches is ranked
over all of them. Each story is shown once, as its best match among the copies
the user may see (as the river shows it once; #15).

Every term reaches FTS5 as a quoted string (HOSTILE E7): no user text is ever
parsed as FTS5 syntax, so ``NEAR(``, ``a"b`` or ``body:x`` cannot fail or
reach another column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.db import Conn
from tidings.adapters.store.sql.rows import entry_from_row
from tidings.adapters.store.sql.search import (
    ALLOWED_FEEDS,
    SqlSearchFilters,
    index_rows,
    search_filters,
    search_params,
    tag_filters,
)
from tidings.adapters.store.sqlite.engine import SqliteEngine
from tidings.core.search import MARK_END, MARK_START, SearchHit, SearchQuery, Term
from tidings.errors import SearchQueryError, StorageError
from tidings.model import EntryUpdate, FeedId, UserId

WINDOW = 3000  # results are the best matches among this many newest matches
CHUNK = 3000  # matches read from FTS5 per step
MAX_SCAN = 6_000  # with restrictive filters, stop here once a page is full
HARD_SCAN = 30_000  # and here in any case
FEED_TERMS = 64  # up to this many feeds, scope the search with feed tokens in FTS5
SHOWN_CHUNK = 500  # ranked matches checked for visibility and story at once

FEEDS_OF = "SELECT id, feed_id FROM entries INDEXED BY entries_id_feed WHERE id IN ({ids})"
SNIPPET_TOKENS = 30
TITLE_WEIGHT = 5.0
#: pages an FTS5 merge step writes: ~30 ms a step on a 94 MB index of which 96% was
#: deleted rows (#15, docs/scaling.md)
MERGE_PAGES = 16
MAX_MERGE_STEPS = 100_000


INDEX_ENTRY = """
INSERT INTO entry_search (id, title, body, feed)
SELECT id, :title, :body, 'f' || feed_id FROM entries WHERE feed_id = :feed_id AND guid = :guid
ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, feed = excluded.feed
"""

SEARCH_JOINS = f"""
FROM entries_fts
JOIN entries e ON e.id = entries_fts.rowid
JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = :user_id
JOIN feeds f ON f.id = e.feed_id
LEFT JOIN categories c ON c.id = s.category_id
LEFT JOIN entry_states st ON st.entry_id = e.id AND st.user_id = :user_id
WHERE entries_fts MATCH :match AND {_sql.VISIBLE}
"""

# Step 1: the newest matches, CHUNK at a time, each with its BM25 score; FTS5
# walks its index newest first and stops at the chunk (no sort by score in SQL).
CANDIDATES = f"""
SELECT rowid, bm25(entries_fts, {TITLE_WEIGHT}, 1.0, 0.0) FROM entries_fts
WHERE entries_fts MATCH :match AND rowid < :before
ORDER BY rowid DESC LIMIT :chunk
"""

# The feeds a search may return: the user's, narrowed by feed:/category: filters.

# Step 2: of the ranked matches, those the user may see (and the tag: filters
# keep), with their story's cluster: each story is shown once, as its best match.
SHOWN = f"""
SELECT e.id, e.cluster_id FROM entries e
JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = :user_id
LEFT JOIN entry_states st ON st.entry_id = e.id AND st.user_id = :user_id
WHERE e.id IN ({{ids}}) AND {_sql.VISIBLE} {{tags}}
"""

# Step 3: the page's rows, with highlighted title and snippet.
DETAILS = f"""
SELECT {_sql.ENTRY_COLUMNS}, f.url AS feed_url, COALESCE(s.title, f.title) AS feed_title,
       c.name AS category, COALESCE(st.read, 0) AS read, COALESCE(st.starred, 0) AS starred,
       highlight(entries_fts, 0, '{MARK_START}', '{MARK_END}') AS hit_title,
       snippet(entries_fts, 1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS}) AS hit_body
{SEARCH_JOINS} AND entries_fts.rowid IN ({{ids}})
"""


def fts_match(query: SearchQuery, feed_ids: Collection[int] = ()) -> str:
    """The FTS5 MATCH expression for ``query``: every term quoted, words looked for
    in titles and text only, and, if given, only in these feeds (their tokens)."""

    def quoted(term: Term) -> str:
        text = '"' + term.text.replace('"', '""') + '"'
        return text + "*" if term.prefix else text

    positive = " ".join(quoted(t) for t in query.include)
    words = positive + "".join(f" NOT {quoted(t)}" for t in query.exclude)
    match = "{title body} : (" + words + ")"
    if feed_ids:
        match += " AND feed : (" + " OR ".join(f'"f{int(i)}"' for i in sorted(feed_ids)) + ")"
    return match


class SqliteSearch(SqlSearchFilters, SqliteEngine):
    """The search half of the Store protocol (see ``tidings.ports.SearchStore``)."""

    def _index_entries(self, conn: Conn, feed_id: FeedId, entries: Sequence[EntryUpdate]) -> None:
        """Write the searchable text of ``entries`` (call inside the refresh transaction)."""
        conn.executemany(INDEX_ENTRY, index_rows(feed_id, entries))

    def _compact_search_index(self) -> None:
        """FTS5 keeps a deleted row's terms as delete markers until segments merge:
        after a cleanup, merge ``MERGE_PAGES`` pages a transaction until nothing is
        left to merge (measured: the index of 20,000 entries less 19,000 deleted,
        94 MB, became 3.6 MB in 51 steps of at most 34 ms; #15). The first step
        merges every level (a negative count), the next ones go on with it."""
        pages = -MERGE_PAGES
        for _ in range(MAX_MERGE_STEPS):
            with self._write() as conn:
                before = conn.total_changes
                conn.execute(
                    "INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?)", (pages,)
                )
                if conn.total_changes - before < 2:  # FTS5: no work was left
                    return
            pages = MERGE_PAGES

    def search_entries(
        self, user_id: UserId, query: SearchQuery, *, limit: int = 30, offset: int = 0
    ) -> list[SearchHit]:
        params = search_params(user_id, limit, offset)
        filters = search_filters(query, params)
        tags = tag_filters(query, params)
        if not query.has_text:
            return self._filtered_listing(filters + tags, params)
        try:
            conn = self._conn()
            allowed = {r[0] for r in conn.execute(ALLOWED_FEEDS.format(filters=filters), params)}
            if not allowed:
                return []
            few = len(allowed) <= FEED_TERMS
            params["match"] = fts_match(query, allowed if few else ())
            wanted = params["offset"] + params["limit"]
            scored = self._candidates(conn, params["match"], None if few else allowed, wanted)
            ranked = [r[0] for r in sorted(scored, key=lambda r: (r[1], -r[0]))]
            shown = self._one_copy_each(conn, ranked, params, tags, wanted)
            page = shown[params["offset"] : params["offset"] + params["limit"]]
            if not page:
                return []
            marks = ", ".join(f":id{i}" for i in range(len(page)))
            params.update((f"id{i}", entry_id) for i, entry_id in enumerate(page))
            rows = conn.execute(DETAILS.format(ids=marks), params).fetchall()
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode == 1:
                # SQLITE_ERROR: FTS5 refused the query (quoting makes this unexpected)
                raise SearchQueryError("That search could not be run; try simpler words.") from exc
            raise StorageError(str(exc)) from exc  # busy, interrupted, I/O, ...
        by_id = {r["id"]: r for r in rows}
        return [
            SearchHit(entry_from_row(r), r["hit_title"], r["hit_body"])
            for r in (by_id[i] for i in page if i in by_id)
        ]

    def _one_copy_each(
        self,
        conn: sqlite3.Connection,
        ranked: Sequence[int],
        params: dict[str, Any],
        tags: str,
        wanted: int,
    ) -> list[int]:
        """The first ``wanted`` of ``ranked`` the user may see, leaving out a copy of a
        story already shown by a better match (the river shows a story once too)."""
        shown: list[int] = []
        stories: set[int] = set()
        for start in range(0, len(ranked), SHOWN_CHUNK):
            chunk = ranked[start : start + SHOWN_CHUNK]
            marks = ", ".join(str(int(i)) for i in chunk)  # integers from the index
            rows = conn.execute(SHOWN.format(ids=marks, tags=tags), params).fetchall()
            clusters = {r[0]: r[1] for r in rows}
            for entry_id in chunk:
                if entry_id not in clusters:
                    continue  # not the user's to see
                story = clusters[entry_id]
                if story is not None and story in stories:
                    continue
                if story is not None:
                    stories.add(story)
                shown.append(entry_id)
                if len(shown) >= wanted:
                    return shown
        return shown

    def _candidates(
        self, conn: sqlite3.Connection, match: str, allowed: set[int] | None, wanted: int
    ) -> list[tuple[int, float]]:
        """(id, score) of the newest matches (in ``allowed`` feeds, when given): up to
        WINDOW of them, or, when few matches pass the filter, what MAX_SCAN yield."""
        found: list[tuple[int, float]] = []
        before, scanned = 2**63 - 1, 0
        while len(found) < WINDOW:
            rows = conn.execute(
                CANDIDATES, {"match": match, "before": before, "chunk": CHUNK}
            ).fetchall()
            if not rows:
                break
            if allowed is None:
                found += [(r[0], r[1]) for r in rows]
            else:
                marks = ", ".join(str(int(r[0])) for r in rows)  # integers from the index
                feeds = dict(conn.execute(FEEDS_OF.format(ids=marks)).fetchall())
                found += [(r[0], r[1]) for r in rows if feeds.get(r[0]) in allowed]
            scanned += len(rows)
            before = rows[-1][0]
            if len(rows) < CHUNK or (scanned >= MAX_SCAN and len(found) >= wanted):
                break
            if scanned >= HARD_SCAN:
                break
        return found[:WINDOW]
