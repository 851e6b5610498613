"""Store fixtures: every contract test runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL names a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings.adapters.store import open_store
from tidings.ports import Store


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        yield s
        s.close()
        return
    base = _postgres_url()
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    try:
        from tidings.adapters.store.postgres import create_test_schema, drop_test_schema
    except ImportError:
        pytest.skip("no PostgreSQL engine yet")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = create_test_schema(base, schema)
    s = open_store(url)
    yield s
    s.close()
    drop_test_schema(base, schema)
