"""Concurrent writers on one SQLite file (#11, item 11): `tidings serve` refreshing in
the background, two `tidings refresh --all` loops at once, and a reader marking
stories over HTTP. No mark is a 500 and no feed fails with "database is locked":
a write that finds the file locked by another process waits its turn."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer
from test_serve import Serve, _wait
from web.conftest import PASSWORD, Client

from tidings.aggregator import make_app
from tidings.model import EntryFilter
from tidings.settings import load_settings

# SQLite's own file, locks and faults (PostgreSQL's: tests/store/postgres, tests/e2e/test_pg_faults.py)
pytestmark = pytest.mark.sqlite_only

HOSTS = 4
PER_HOST = 25
ENTRIES = 20
SECONDS = 12.0  # how long the refresh loops and the marks run
HOG_SECONDS = 6.0  # one long write by yet another process: longer than SQLite's busy timeout


@pytest.fixture
def farm() -> Iterator[list[FeedServer]]:
    servers = [FeedServer(f"127.0.0.{i + 1}").start() for i in range(HOSTS)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def _publish(server: FeedServer, i: int, round_: int) -> None:
    """Feed ``i`` after ``round_`` new stories: every refresh has entries to write."""
    body = rss(
        ENTRIES, title=f"F{i}", start=round_ * 3, base=f"https://s{server.host}-{i}.example/"
    )
    server.set(f"/f{i}.xml", body)


def _refresh_loop(tidings: Tidings, until: float, outputs: list[str], codes: list[int]) -> None:
    exe = Path(sys.executable).with_name("tidings")
    while time.monotonic() < until:
        proc = subprocess.run(
            [str(exe), "refresh", "--all"],
            env=tidings.env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        outputs.append(proc.stdout + proc.stderr)
        codes.append(proc.returncode)


@pytest.mark.slow
def test_serve_two_refreshes_and_marks_share_the_file(
    tidings: Tidings, farm: list[FeedServer], tmp_path: Path
) -> None:
    env = {**tidings.env, "TIDINGS_PARSE_WORKERS": "1", "TIDINGS_MIN_INTERVAL": "60"}
    tidings = Tidings(env)
    settings = load_settings({"db": env["TIDINGS_DB"]}, environ=env)
    with make_app(settings) as agg:  # the reader, and stories to mark
        agg.accounts.setup_admin("admin", PASSWORD)
        user = agg.user_id("admin")
        for h, server in enumerate(farm):
            for i in range(PER_HOST):
                _publish(server, i, 0)
                agg.store.add_feed(
                    user, server.url(f"/f{i}.xml"), category=f"H{h}", now=datetime.now(UTC)
                )
        asyncio.run(agg.refresh([farm[0].url("/f0.xml")]))
        ids = [e.id for e in agg.get_entries(user, EntryFilter(limit=ENTRIES))]
    assert len(ids) == ENTRIES

    serve = Serve(env, tmp_path / "serve.log")
    try:
        _wait(lambda: serve.logged("Uvicorn running"), "the server")  # its port is on this line
        port = int(
            next(r["msg"] for r in serve.lines() if "Uvicorn running" in r["msg"])
            .rsplit(":", 1)[1]
            .split()[0]
        )
        client = Client(port)
        client.login("admin")

        stop = threading.Event()

        def rotate() -> None:  # new stories keep coming while everyone refreshes
            round_ = 0
            while not stop.wait(0.5):
                round_ += 1
                for server in farm:
                    for i in range(round_ % 5, PER_HOST, 5):
                        _publish(server, i, round_)

        def hog() -> None:  # a long commit elsewhere (a big group on a slow disk)
            time.sleep(2)
            conn = sqlite3.connect(env["TIDINGS_DB"].removeprefix("sqlite:///"), timeout=30)
            conn.isolation_level = None
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE users SET settings = settings")
            time.sleep(HOG_SECONDS)
            conn.execute("COMMIT")
            conn.close()

        until = time.monotonic() + SECONDS
        outputs: list[str] = []
        codes: list[int] = []
        threads = [threading.Thread(target=rotate), threading.Thread(target=hog)] + [
            threading.Thread(target=_refresh_loop, args=(tidings, until, outputs, codes))
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        statuses: list[int] = []
        n = 0
        while time.monotonic() < until:
            entry = ids[n % len(ids)]
            flag = "read" if n % 2 else "starred"
            form = {flag: str((n // 2) % 2)}
            response = client.post(
                f"/entry/{entry}/mark", form, headers={"Accept": "application/json"}
            )
            statuses.append(response.status)
            n += 1
        for t in threads[1:]:
            t.join(timeout=120)
        for t in threads[1:]:
            assert not t.is_alive()
        stop.set()
        threads[0].join()
    finally:
        serve.stop()

    assert len(statuses) > 50
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert codes and set(codes) == {0}, "\n".join(outputs)[-3000:]
    assert not [o for o in outputs if "locked" in o], "\n".join(outputs)[-3000:]
    assert not [r for r in serve.lines() if "locked" in str(r)]
