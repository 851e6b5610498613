"""Two `tidings worker` processes on one database never fetch one feed twice (#10, #13)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer
from rawdb import raw_db

HOSTS = 4  # loopback addresses: the per-host cap applies to each
PER_HOST = 10


@pytest.fixture
def farm() -> Iterator[list[FeedServer]]:
    servers = [FeedServer(f"127.0.0.{i + 1}").start() for i in range(HOSTS)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
def test_two_workers_share_the_due_feeds_each_fetched_once(
    tidings: Tidings, farm: list[FeedServer], tmp_path: Path
) -> None:
    opml = ['<?xml version="1.0"?><opml version="2.0"><body>']
    for h, server in enumerate(farm):
        for i in range(PER_HOST):
            server.set(f"/f{i}.xml", rss(3, title=f"F{h}.{i}", base=f"https://s{h}-{i}.example/"))
            opml.append(f'<outline type="rss" xmlUrl="{server.url(f"/f{i}.xml")}"/>')
    opml.append("</body></opml>")
    (tmp_path / "farm.opml").write_text("".join(opml))
    tidings.run("import-opml", str(tmp_path / "farm.opml"))

    exe = Path(sys.executable).with_name("tidings")
    workers = [
        subprocess.Popen(
            [str(exe), "worker", "--once"],
            env=tidings.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in workers:
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err

    for server in farm:  # one round: every feed fetched, none by both workers
        assert [server.hits(f"/f{i}.xml") for i in range(PER_HOST)] == [1] * PER_HOST
    with raw_db(tidings.env["TIDINGS_DB"]) as db:
        rows = db.execute(
            "SELECT COUNT(*), COUNT(last_success_at), COUNT(lease_owner) FROM feeds"
        ).fetchone()
    assert rows == (HOSTS * PER_HOST, HOSTS * PER_HOST, 0)  # all refreshed, no lease left
