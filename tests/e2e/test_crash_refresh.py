"""SIGKILL of a real `tidings refresh` leaves every feed whole or untouched (HOSTILE F1)."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer

# SQLite's own file, locks and faults (PostgreSQL's: tests/store/postgres, tests/e2e/test_pg_faults.py)
pytestmark = pytest.mark.sqlite_only

FEEDS = 120
ENTRIES = 40


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_killed_refresh_is_all_or_nothing_per_feed(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path, seed: int
) -> None:
    opml = ['<?xml version="1.0"?><opml version="2.0"><body>']
    for i in range(FEEDS):
        feed_server.set(f"/f{i}.xml", rss(ENTRIES, title=f"Feed {i}", base=f"https://s{i}.example/"))
        opml.append(f'<outline type="rss" text="f{i}" xmlUrl="{feed_server.url(f"/f{i}.xml")}"/>')
    opml.append("</body></opml>")
    (tmp_path / "s.opml").write_text("".join(opml))
    tidings.run("import-opml", str(tmp_path / "s.opml"))

    exe = Path(sys.executable).with_name("tidings")
    proc = subprocess.Popen([str(exe), "refresh", "--all", "-q"], env=tidings.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = tidings.env["TIDINGS_DB"].removeprefix("sqlite:///")
    # Kill once a few feeds are written, so the kill lands in the middle of the batch.
    wanted = random.Random(seed).randint(1, 10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if _completed(db) >= wanted:
            break
        time.sleep(0.002)
    helpers = _descendants(proc.pid)  # the parsing pool, its forkserver, the resource tracker
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT f.etag, f.last_success_at, COUNT(e.id) FROM feeds f "
            "LEFT JOIN entries e ON e.feed_id = f.id GROUP BY f.id"
        ).fetchall()
    finally:
        conn.close()
    done = sum(1 for r in rows if r[0])
    assert 0 < done < FEEDS, "the kill should land in the middle of the refresh"
    for etag, success, count in rows:
        # validators and entries are written together: both or neither
        assert (etag is None and success is None and count == 0) or (
            etag is not None and count == ENTRIES
        ), (etag, success, count)

    # The killed refresh's helper processes end with it (they watch their owner).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.2)
    assert not [pid for pid in helpers if _alive(pid)], "orphaned pool processes"

    # A later refresh completes the job with no duplicates.
    out = tidings.run("refresh", "--all", "-q").stdout
    assert "0 failed" in out
    entries = tidings.json("entries", "--limit", "10000")
    assert len(entries) == FEEDS * ENTRIES
    assert len({e["id"] for e in entries}) == FEEDS * ENTRIES


def _completed(db: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM feeds WHERE etag IS NOT NULL").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (its parent is gone; init reaps it)
