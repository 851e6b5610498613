"""Shared fixtures: a fixture feed server, a temporary database, a CLI runner.

A test that asks for a database (``db_url``, ``databases``, ``tidings``, the web
servers) runs once on each engine (#13): on SQLite, and on PostgreSQL in a schema
of its own when TEST_DATABASE_URL names a server (``scripts/pytest.sh`` sets it
when one answers). ``@pytest.mark.sqlite_only`` keeps a test that reads SQLite's
own file or faults to SQLite; a test marked ``postgres`` makes its own PostgreSQL
schemas or servers, so it runs once, with SQLite's fixtures beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from feedserver import FeedServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_path(*parts: str) -> Path:
    """A path in ../shared/corpus, or skip the test with a message if it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not found: {path} (needs ../shared beside the repository)")
    return path


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


ENGINES = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        marks = {m.name for m in metafunc.definition.iter_markers()}
        engines = ENGINES[:1] if marks & {"sqlite_only", "postgres"} else ENGINES
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine this run of the test uses."""
    name: str = getattr(request, "param", ENGINES[0])
    if name == "postgres" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    return name


@pytest.fixture
def databases(engine: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test's engine: ``databases()`` is a new URL
    (a SQLite file in tmp_path, or a PostgreSQL schema dropped afterwards)."""
    schemas: list[str] = []
    base = os.environ.get("TEST_DATABASE_URL", "")

    def new() -> str:
        if engine == "sqlite":
            name = "tidings.db" if not schemas else f"tidings{len(schemas)}.db"
            schemas.append(name)
            return f"sqlite:///{tmp_path / name}"
        from tidings.adapters.store.postgres import create_test_schema

        schema = f"t_{uuid.uuid4().hex[:12]}"
        schemas.append(schema)
        return create_test_schema(base, schema)

    yield new
    if engine == "postgres":
        from tidings.adapters.store.postgres import drop_test_schema

        for schema in schemas:
            drop_test_schema(base, schema)


@pytest.fixture
def pg_base() -> str:
    """The test PostgreSQL server's URL (TEST_DATABASE_URL), or skip."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    return base


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    """The URL of an empty schema of the test PostgreSQL server, dropped afterwards."""
    from tidings.adapters.store.postgres import create_test_schema, drop_test_schema

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield create_test_schema(pg_base, schema)
    drop_test_schema(pg_base, schema)


@pytest.fixture
def db_url(databases: Callable[[], str]) -> str:
    """The URL of an empty database on the test's engine."""
    return databases()


@pytest.fixture
def tidings_env(tmp_path: Path, db_url: str) -> dict[str, str]:
    """Environment for a `tidings` subprocess: a fresh database, loopback allowed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(
        TIDINGS_DB=db_url,
        TIDINGS_DATA_DIR=str(tmp_path / "data"),
        TIDINGS_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
        TZ="UTC",  # the CLI shows times in TZ (#15): the same on every machine
    )
    return env


class Tidings:
    """Runs the real `tidings` console script in a subprocess."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        exe = Path(sys.executable).with_name("tidings")
        proc = subprocess.run(
            [str(exe), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"tidings {' '.join(args)} exited {proc.returncode}\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
            )
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def tidings(tidings_env: dict[str, str]) -> Tidings:
    return Tidings(tidings_env)
