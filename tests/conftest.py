"""Shared fixtures: a fixture feed server, a temporary database, a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture
def tidings_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a `tidings` subprocess: a fresh SQLite file, loopback allowed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(
        TIDINGS_DB=f"sqlite:///{tmp_path / 'tidings.db'}",
        TIDINGS_DATA_DIR=str(tmp_path / "data"),
        TIDINGS_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
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
