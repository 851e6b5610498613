"""The PostgreSQL storage engine: the Store protocol on one PostgreSQL database."""

from __future__ import annotations

from tidings.adapters.store.postgres.engine import PostgresEngine
from tidings.adapters.store.postgres.entries import PostgresEntries
from tidings.adapters.store.postgres.jobs import PostgresJobs
from tidings.adapters.store.postgres.listen import PostgresListen
from tidings.adapters.store.postgres.search import PostgresSearch
from tidings.adapters.store.sql.store import SqlStore


class PostgresStore(
    PostgresListen, PostgresSearch, PostgresJobs, PostgresEntries, SqlStore, PostgresEngine
):
    """A Store on one PostgreSQL database (a connection pool, tsvector search, claims
    with ``SKIP LOCKED``, refresh requests heard across processes, a feed's entries
    upserted in one statement)."""
