"""The PostgreSQL engine (issue 13): psycopg 3 over the shared ``sql`` modules,
tsvector search, its own migrations."""

from tidings.adapters.store.postgres.schemas import create_test_schema, drop_test_schema
from tidings.adapters.store.postgres.store import PostgresStore

__all__ = ["PostgresStore", "create_test_schema", "drop_test_schema"]
