"""Store fixtures: every contract test runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL names a server.

``store`` is the engine behind a proxy that notes which public methods a test
calls; ``test_coverage.py`` runs this package with ``TIDINGS_CONTRACT_CALLS``
set to collect those notes and fails naming any method no contract test calls.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from tidings.adapters.store import open_store
from tidings.ports import Store

CALLS_ENV = "TIDINGS_CONTRACT_CALLS"


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


class RecordingStore:
    """Passes every call on to ``store``, noting the name of each public method called."""

    def __init__(self, store: Store, calls: set[str]) -> None:
        self._store = store
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name.startswith("_") or not callable(attr):
            return attr
        method: Callable[..., Any] = attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.add(name)
            return method(*args, **kwargs)

        return call


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database for one test, on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = _postgres_url()
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    try:
        from tidings.adapters.store.postgres import create_test_schema, drop_test_schema
    except ImportError:
        pytest.skip("no PostgreSQL engine yet")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield create_test_schema(base, schema)
    drop_test_schema(base, schema)


@pytest.fixture
def store(request: pytest.FixtureRequest, store_url: str) -> Iterator[Store]:
    engine = open_store(store_url)
    calls: set[str] = set()
    yield cast(Store, RecordingStore(engine, calls))
    engine.close()
    report = os.environ.get(CALLS_ENV)
    if report:
        with open(report, "a", encoding="utf-8") as out:
            out.writelines(f"{request.module.__name__} {name}\n" for name in sorted(calls))
