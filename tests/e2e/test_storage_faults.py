"""Storage faults as users meet them (#11): the web's answer to a write that cannot
be saved, `tidings refresh` on a full disk or a read-only database, and `tidings
serve` on a read-only file system."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer
from store.test_faults import read_only_command, restore_modes
from web.conftest import FAST_HASHER, PASSWORD, Client, WebServer, entry

from tidings.adapters.store.sqlite import SqliteStore
from tidings.aggregator import make_app
from tidings.model import EntryFilter
from tidings.settings import load_settings

# SQLite's own file, locks and faults (PostgreSQL's: tests/store/postgres, tests/e2e/test_pg_faults.py)
pytestmark = pytest.mark.sqlite_only

EXE = str(Path(sys.executable).with_name("tidings"))
__all__ = ["restore_modes"]  # a fixture


def _hold_write_lock(db: Path, seconds: float) -> None:
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE users SET settings = settings")
        locked.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(5)


def test_a_mark_that_waited_too_long_is_a_clear_503_and_reads_still_work(
    tmp_path: Path,
) -> None:
    db = tmp_path / "web.db"
    settings = load_settings({"db": f"sqlite:///{db}", "background_refresh": False}, environ={})
    store = SqliteStore(str(db), busy_timeout_ms=50, lock_wait=0.5)
    agg = make_app(settings, store=store)
    agg.accounts.hasher = FAST_HASHER
    try:
        with WebServer(agg) as server:
            user = agg.accounts.setup_admin("admin", PASSWORD)
            server.feed(user, "https://news.example/feed", [entry(1), entry(2)])
            client = Client(server.port)
            client.login("admin")
            entry_id = agg.get_entries(user.id, EntryFilter())[0].id
            _hold_write_lock(db, 3.0)
            marked = client.post(
                f"/entry/{entry_id}/mark", {"starred": "1"}, headers={"Accept": "application/json"}
            )
            assert marked.status == 503, marked.body[:300]
            assert marked.body == "The database is busy with another writer: try again in a moment."
            assert marked.header("retry-after") == "5"
            assert client.get("/").status == 200  # reading never waits for a writer
    finally:
        agg.close()


# `tidings refresh` and `tidings serve` on a full disk and a read-only database

FULL_DISK = """
import sys
from tidings.adapters.store.sqlite import SqliteStore
from tidings.cli import main

opened = SqliteStore._conn


def full(self):  # the database may not grow, as on a full disk (SQLITE_FULL)
    conn = opened(self)
    conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0]}")
    return conn


SqliteStore._conn = full
sys.argv[0] = "tidings"
main()
"""


def _env(tidings: Tidings, db: Path) -> dict[str, str]:
    return {**tidings.env, "TIDINGS_DB": f"sqlite:///{db}", "PYTHONPATH": os.pathsep.join(sys.path)}


def _subscribed(tidings: Tidings, feed_server: FeedServer, db: Path, feeds: int) -> dict[str, str]:
    env = _env(tidings, db)
    for i in range(feeds):
        feed_server.set(f"/f{i}.xml", rss(30, base=f"https://s{i}.example/", start=100 * i))
        add = [EXE, "add", feed_server.url(f"/f{i}.xml"), "--no-discover"]
        subprocess.run(add, env=env, check=True, capture_output=True)
    return env


def test_refresh_on_a_full_disk_says_so_and_exits_non_zero(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path
) -> None:
    env = _subscribed(tidings, feed_server, tmp_path / "full.db", 3)
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "refresh", "--all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "0 ok, 0 not modified, 3 failed; 0 new entries"
    assert "Error: 3 of 3 feeds could not be stored: database or disk is full" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_feeds_that_fail_to_fetch_keep_refresh_at_exit_zero(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path
) -> None:
    env = _subscribed(tidings, feed_server, tmp_path / "ok.db", 2)
    feed_server.set("/f1.xml", b"gone", status=404)
    proc = subprocess.run([EXE, "refresh", "--all"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1 ok, 0 not modified, 1 failed; 30 new entries"
    assert f"failed: {feed_server.url('/f1.xml')}: HTTP 404" in proc.stderr


def _read_only_db(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path
) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "ro"
    folder.mkdir()
    env = _subscribed(tidings, feed_server, folder / "t.db", 2)
    SqliteStore(str(folder / "t.db")).close()  # checkpointed: no -wal/-shm left
    return folder, env


def test_refresh_on_a_read_only_database_says_so_and_exits_non_zero(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path, restore_modes: None
) -> None:
    folder, env = _read_only_db(tidings, feed_server, tmp_path)
    for args in (["refresh"], ["refresh", "--all"], ["refresh", feed_server.url("/f0.xml")]):
        proc = subprocess.run(
            read_only_command(folder, [EXE, *args]), env=env, capture_output=True, text=True
        )
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert f"the database is read-only: {folder / 't.db'}" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_serve_on_a_read_only_database_keeps_serving_reads(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path, restore_modes: None
) -> None:
    folder, env = _read_only_db(tidings, feed_server, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log = tmp_path / "serve.log"
    argv = [EXE, "--log-format", "json", "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            read_only_command(folder, argv), env=env, stdout=subprocess.DEVNULL, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while "scheduler pass failed" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.05)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as page:
            assert page.status == 200
        assert proc.poll() is None  # still serving
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    failed = next(r for r in records if r["msg"].startswith("scheduler pass failed"))
    assert failed["msg"] == f"scheduler pass failed: the database is read-only: {folder / 't.db'}"
    assert "exc" not in failed  # a storage fault is one line, not a traceback
