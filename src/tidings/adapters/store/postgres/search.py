"""Full-text search on a PostgreSQL tsvector (the dialect-specific half of
``tidings.core.search``).

``entry_search`` holds each entry's title and plain text, and ``document``, a
generated tsvector with the title weighted 'A' above the text 'B' (the
'simple' configuration: no stemming, as SQLite's unicode61). The refresh write
path calls ``_index_entries`` in the same transaction as the entries; a trigger
drops the text when an entry is deleted.

Ranking: ``ts_rank`` over the newest ``WINDOW`` matches (as on SQLite, a
common word costs the same as a rare one and results stay recent), ties newest
first. The matches are looked for among the newest ``FIRST_SPAN`` entries, then
among as many as the matches found so far say hold ``WINDOW`` (``_next_span``),
until the window holds ``WINDOW`` of them or spans every entry: the same
results as one look at all of them, without reading every match of a common
word. Sparse matches stop sooner, as SQLite's scan does: past ``MAX_SPAN``
newest entries, once the page is full. Each story (cluster) is shown once, as its
best match among the copies the user may see (#15). Highlights come from
``ts_headline`` with the core's markers.

No user text is parsed as tsquery syntax (HOSTILE E7): a term is a phrase
(``phraseto_tsquery``, which reads plain text), and a prefix term is rebuilt
from its words, each quoted, before ``:*`` is added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tidings.adapters.store.postgres.engine import PostgresEngine
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
from tidings.core.search import MARK_END, MARK_START, SearchHit, SearchQuery, Term
from tidings.model import EntryUpdate, FeedId, UserId

WINDOW = 3000  # results are the best matches among this many newest matches
#: the newest entries the first try looks among, and the most each next try grows
FIRST_SPAN, GROWTH = 20_000, 16
#: past this many newest entries, a try that fills the page is the last (sparse
#: matches: a phrase of two common words reads every row holding both)
MAX_SPAN = 100_000
SNIPPET_WORDS = 30
CONFIG = "'simple'::regconfig"

TITLE_MARKS = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
BODY_MARKS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", '
    f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, "
    'FragmentDelimiter="…", MaxFragments=2'
)

# A feed's entries in one statement (#13): a statement an entry had cost the server
# a parse and a plan each, a fifth of what the search rows cost it.
INDEX_ENTRIES = """
INSERT INTO entry_search (id, title, body, feed)
SELECT e.id, r.title, r.body, 'f' || e.feed_id
FROM unnest(CAST(:guids AS text[]), CAST(:titles AS text[]), CAST(:bodies AS text[]))
    AS r (guid, title, body)
JOIN entries e ON e.feed_id = :feed_id AND e.guid = r.guid
ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, feed = excluded.feed
"""

# The newest WINDOW matches the user may see, ranked; then the page, highlighted.
SEARCH = f"""
WITH q AS (SELECT {{query}} AS query),
matches AS (  -- the query itself, not q's: the planner estimates its matches
    SELECT es.id, e.cluster_id, ts_rank(es.document, ({{query}})) AS rank
    FROM entry_search es
    JOIN entries e ON e.id = es.id
    JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = :user_id
    JOIN feeds f ON f.id = e.feed_id
    LEFT JOIN categories c ON c.id = s.category_id
    LEFT JOIN entry_states st ON st.entry_id = e.id AND st.user_id = :user_id
    WHERE es.document @@ ({{query}}) {{floor}} AND {_sql.VISIBLE} {{filters}}
    ORDER BY es.id DESC LIMIT :window
),
shown AS (  -- each story once: its best match among the copies the user may see (#15)
    SELECT DISTINCT ON (COALESCE(cluster_id, -id)) id, rank FROM matches
    ORDER BY COALESCE(cluster_id, -id), rank DESC, id DESC
),
page AS (
    SELECT id, rank FROM shown ORDER BY rank DESC, id DESC LIMIT :limit OFFSET :offset
)
SELECT {_sql.USER_ENTRY_COLUMNS},
       ts_headline({CONFIG}, es.title, q.query, :title_marks) AS hit_title,
       ts_headline({CONFIG}, es.body, q.query, :body_marks) AS hit_body,
       (SELECT COUNT(*) FROM matches) AS matched,
       (SELECT COUNT(*) FROM shown) AS stories
FROM page
CROSS JOIN q
JOIN entry_search es ON es.id = page.id
{_sql.user_entry_joins().replace("FROM entries e", "JOIN entries e ON e.id = page.id", 1)}
ORDER BY page.rank DESC, page.id DESC
"""

_WORD = re.compile(r"\w+")


def _term_query(term: Term, name: str, params: dict[str, Any]) -> str | None:
    """The tsquery SQL of one term (its text bound as ``name``), or None if it has no words."""
    if term.prefix:
        words = _WORD.findall(term.text.lower())
        if not words:
            return None
        # quoted lexemes (``\\w`` holds no quote or backslash): never tsquery syntax
        params[name] = " <-> ".join(f"'{w}'" for w in words) + ":*"
        return f"to_tsquery({CONFIG}, :{name})"
    if not _WORD.search(term.text):
        return None
    params[name] = term.text
    return f"phraseto_tsquery({CONFIG}, :{name})"


def ts_query(query: SearchQuery, params: dict[str, Any]) -> str | None:
    """The tsquery SQL for ``query``: every included term, none of the excluded;
    None when no included term has a word."""
    include = [_term_query(t, f"inc{i}", params) for i, t in enumerate(query.include)]
    positive = [q for q in include if q]
    if not positive:
        return None
    exclude = [_term_query(t, f"exc{i}", params) for i, t in enumerate(query.exclude)]
    return " && ".join(positive + [f"!!{q}" for q in exclude if q])


class PostgresSearch(SqlSearchFilters, PostgresEngine):
    """The search half of the Store protocol (see ``tidings.ports.SearchStore``)."""

    def _index_entries(self, conn: Conn, feed_id: FeedId, entries: Sequence[EntryUpdate]) -> None:
        """Write the searchable text of ``entries`` (call inside the refresh transaction)."""
        rows = index_rows(feed_id, entries, _clean)  # each guid once (``_write_refresh``)
        if rows:
            conn.execute(
                INDEX_ENTRIES,
                {
                    "feed_id": feed_id,
                    "guids": [r["guid"] for r in rows],
                    "titles": [r["title"] for r in rows],
                    "bodies": [r["body"] for r in rows],
                },
            )

    def search_entries(
        self, user_id: UserId, query: SearchQuery, *, limit: int = 30, offset: int = 0
    ) -> list[SearchHit]:
        params = search_params(user_id, limit, offset)
        filters = search_filters(query, params)
        tags = tag_filters(query, params)  # of entries: not in ALLOWED_FEEDS
        if not query.has_text:
            return self._filtered_listing(filters + tags, params)
        tsquery = ts_query(query, params)
        if tsquery is None:
            return []
        if filters:  # feed: or category: — the matches of those feeds alone (0016)
            allowed = self._read(ALLOWED_FEEDS.format(filters=filters), params)
            if not allowed:
                return []
            params["feeds"] = [f"f{row[0]}" for row in allowed]
            filters += " AND es.feed = ANY (CAST(:feeds AS text[]))"
        filters += tags
        params["title_marks"] = TITLE_MARKS
        params["body_marks"] = BODY_MARKS
        top = self._read("SELECT MAX(id) FROM entry_search")[0][0] or 0
        wanted = params["offset"] + params["limit"]
        params["window"] = WINDOW
        span = FIRST_SPAN
        while True:
            # the newest ``span`` entries first: GIN finds every match of a common
            # word at once, but reading 260,000 of them to keep the newest 3,000
            # took 7.5 s; a window with WINDOW matches holds the newest WINDOW
            floor = top - span
            params["floor"] = floor
            window = "AND es.id > :floor" if floor > 0 else ""
            sql = SEARCH.format(query=tsquery, filters=filters, floor=window)
            rows = self._read(sql, params)
            matched = rows[0]["matched"] if rows else 0
            stories = rows[0]["stories"] if rows else 0  # the matches, copies collapsed
            if floor <= 0 or matched >= WINDOW or (span >= MAX_SPAN and stories >= wanted):
                break
            span = _next_span(span, matched, wanted)
        return [SearchHit(entry_from_row(r), r["hit_title"], r["hit_body"]) for r in rows]


def _next_span(span: int, matched: int, wanted: int) -> int:
    """The next try's span: as many entries as the matches so far say hold WINDOW
    of them, a fifth more (each match is a row read: too wide a span reads too
    many); where that passes MAX_SPAN, enough for the page (as SQLite's search
    stops at MAX_SCAN once a page is full); at least twice, at most GROWTH times
    ``span``."""

    def holding(n: int) -> int:
        return span * n * 6 // (5 * matched) if matched else span * GROWTH

    target = holding(WINDOW)
    if target > MAX_SPAN:
        target = max(MAX_SPAN, holding(wanted))
    return max(span * 2, min(target, span * GROWTH))


def _clean(text: str) -> str:
    """``text`` without NUL characters, which PostgreSQL's text cannot hold."""
    return text.replace("\x00", "")
