"""Storage faults as users meet them (#11): the web's answer to a write that cannot
be saved, `tidings refresh` on a full disk or a read-only database, and `tidings
serve` on a read-only file system."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path

from web.conftest import FAST_HASHER, PASSWORD, Client, WebServer, entry

from tidings.adapters.store.sqlite import SqliteStore
from tidings.aggregator import make_app
from tidings.model import EntryFilter
from tidings.settings import load_settings

EXE = str(Path(sys.executable).with_name("tidings"))


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
