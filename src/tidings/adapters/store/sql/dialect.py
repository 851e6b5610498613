"""What differs between the SQL engines, named: the rest of the SQL is shared.

The shared SQL keeps to what SQLite (3.35+) and PostgreSQL both run:
``ON CONFLICT ... DO NOTHING/UPDATE``, ``RETURNING``, ``CASE`` instead of the
two-argument ``MAX``/``GREATEST``, times as integer epoch seconds passed in as
parameters (never the server's clock). Planner hints are the one thing a
dialect adds to a query: SQLite's planner starts an entry listing from the
user's subscriptions and sorts every entry they have unless told which index
to walk. PostgreSQL's concurrent writers need more: named and ``--all`` feed
claims take turns (``claim_lock``; its due claim is its own, ``postgres/jobs.py``),
and so do writes of one story's copies (``story_lock``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tidings.model import EntryFilter

__all__ = ["POSTGRES", "SQLITE", "Dialect", "Listing", "listing_of"]


class Listing(enum.Enum):
    """How an entry listing should be read."""

    PLAIN = "plain"  # one feed, starred, one entry: the planner's own choice is right
    RIVER = "river"  # across feeds, newest first: walk the river index, stop at the page
    NEWEST = "newest"  # new arrivals (after an id): the newest rowids only


def listing_of(f: EntryFilter) -> Listing:
    if f.feed_url or f.feed_id is not None or f.starred or f.tag is not None:
        return Listing.PLAIN
    return Listing.NEWEST if f.after_id is not None else Listing.RIVER


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    #: ``FROM entries e <join> subscriptions s``: the entries table and the join to
    #: the user's subscriptions, per listing (the ``ON`` clause follows).
    river: str
    newest: str
    #: the ids of a JSON array parameter, as a subquery (``{param}``: its placeholder)
    id_list: str = "SELECT value FROM json_each({param})"
    #: the strings of a JSON array parameter, as a subquery
    text_list: str = "SELECT value FROM json_each({param})"
    #: the ``[a, b]`` pairs of integers of a JSON array parameter, as a subquery of two columns
    pair_list: str = (
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each({param})"
    )
    plain: str = "entries e\nJOIN subscriptions s"
    #: run first in a named or ``--all`` feed claim's transaction, so those claims
    #: take turns (empty: the engine's writes already do, as SQLite's one writer)
    claim_lock: str = ""
    #: run first in a write that clusters new entries, so two copies of one story
    #: written at once take turns (``{keys}``: the keys, as ``id_list``; ``:now``)
    story_lock: str = ""
    #: run in a ``request_refresh``, to wake the workers of other processes
    notify_requests: str = ""
    #: the stored copies of a story by its keys (``{keys}``: an ``id_list``, then the
    #: oldest ``seen_at``); empty: ``stories.CANDIDATES``
    candidates: str = ""

    def entries_join(self, listing: Listing) -> str:
        if listing is Listing.RIVER:
            return self.river
        if listing is Listing.NEWEST:
            return self.newest
        return self.plain


SQLITE = Dialect(
    "sqlite",
    river="entries e INDEXED BY entries_river\nCROSS JOIN subscriptions s",
    newest="entries e NOT INDEXED\nCROSS JOIN subscriptions s",
)
POSTGRES = Dialect(
    "postgresql",
    river="entries e\nJOIN subscriptions s",
    newest="entries e\nJOIN subscriptions s",
    id_list="SELECT CAST(jsonb_array_elements_text(CAST({param} AS jsonb)) AS bigint)",
    text_list="SELECT jsonb_array_elements_text(CAST({param} AS jsonb))",
    pair_list=(
        "SELECT CAST(p ->> 0 AS bigint), CAST(p ->> 1 AS bigint) "
        "FROM jsonb_array_elements(CAST({param} AS jsonb)) AS p"
    ),
    # Under READ COMMITTED two claims would read the same unleased feeds and both
    # lease them (and overfill a host): a transaction-level advisory lock ("claim").
    claim_lock="SELECT pg_advisory_xact_lock(1668047213)",
    # two workers writing copies of one story at once would each miss the other's
    # uncommitted keys: the keys' rows in story_key_turns, locked in order (0012)
    story_lock=(
        "INSERT INTO story_key_turns (key, seen_at) SELECT k.key, :now "
        "FROM ({keys} ORDER BY 1) AS k (key) "
        "ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at"
    ),
    notify_requests="SELECT pg_notify('tidings_refresh', '')",
    # one index lookup a key, whatever the statistics say: without them (a new
    # database, autovacuum off) a join was planned as a scan of every entry (#13)
    candidates="""
SELECT k.key, e.id, e.feed_id, e.cluster_id, e.canonical_url, e.minhash
FROM ({keys}) AS q (key)
CROSS JOIN LATERAL (
    SELECT s.key, s.entry_id, s.seen_at FROM story_keys s
    WHERE s.key = q.key AND s.seen_at >= ? OFFSET 0) AS k
CROSS JOIN LATERAL (
    SELECT e.id, e.feed_id, e.cluster_id, e.canonical_url, e.minhash FROM entries e
    WHERE e.id = k.entry_id AND e.first_seen_at <= k.seen_at OFFSET 0) AS e
""",
)
