"""Throw-away schemas for tests: each contract test gets an empty schema of the
test database, reached through a URL whose connections use it first."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _checked(schema: str) -> str:
    if not _SCHEMA.fullmatch(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    return schema


def schema_url(base_url: str, schema: str) -> str:
    """``base_url`` with ``options=-csearch_path=<schema>`` (kept with other options)."""
    parts = urlsplit(base_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [v for k, v in query if k == "options"]
    rest = [(k, v) for k, v in query if k != "options"]
    option = " ".join([*options, f"-csearch_path={_checked(schema)}"])
    rest.append(("options", option))
    return urlunsplit(parts._replace(query=urlencode(rest, quote_via=quote)))


def create_test_schema(base_url: str, schema: str) -> str:
    """Create ``schema`` in the database at ``base_url``; a URL whose connections use it."""
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(_checked(schema))))
    return schema_url(base_url, schema)


def drop_test_schema(base_url: str, schema: str) -> None:
    """Drop ``schema`` and everything in it."""
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(_checked(schema)))
        )
