"""SIGKILL in the middle of refresh writes leaves SQLite consistent (HOSTILE F1)."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BATCH = 300

CHILD = f"""
import sys
from datetime import UTC, datetime, timedelta
from tidings.adapters.store import open_store
from tidings.model import Caching, EntryData, EntryUpdate, FeedUpdate

store = open_store(sys.argv[1])
user = store.ensure_user("u")
feed = store.add_feed(user, "https://x.example/feed", category=None, now=datetime.now(UTC))
n = 0
while True:
    now = datetime.now(UTC)
    entries = [
        EntryUpdate(EntryData(id=f"b{{n}}-{{i}}", title="t" * 200, content="<p>x</p>" * 50),
                    f"h{{i}}", is_new=True)
        for i in range({BATCH})
    ]
    update = FeedUpdate(feed_id=feed.id, fetched_at=now, next_check_at=now + timedelta(hours=1),
                        caching=Caching(etag=f"batch-{{n}}"))
    store.apply_refresh(update, entries)
    print(n, flush=True)
    n += 1
"""


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_sigkill_mid_refresh_leaves_no_half_written_feed(tmp_path: Path, seed: int) -> None:
    db = tmp_path / "crash.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, f"sqlite:///{db}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acked = -1
    first = child.stdout.readline()  # wait until writing is under way
    assert first.strip() == "0", child.stderr.read() if child.stderr else ""
    acked = 0
    time.sleep(random.Random(seed).uniform(0.05, 0.6))
    child.kill()
    rest, _ = child.communicate(timeout=10)
    for line in rest.split():
        acked = int(line)

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        etag = conn.execute("SELECT etag FROM feeds").fetchone()[0]
        last = int(etag.split("-")[1])
        count = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    finally:
        conn.close()
    assert last >= acked  # every acknowledged commit is there
    assert count == (last + 1) * BATCH  # the validators never run ahead of (or behind) entries
