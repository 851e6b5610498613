"""Latency of the sync APIs (Google Reader, Fever) on a large database, over loopback.

    .venv/bin/python benchmarks/gen_web_db.py /tmp/tidings-web.db      # once: 1,000 feeds, 1M entries
    .venv/bin/python benchmarks/api.py --db /tmp/tidings-web.db         # p50/p95 per request

The database given is never written: it is copied (``cp``, WAL checkpointed
first) to ``--work`` (default: ``bench-api.db`` next to it) and everything
happens on the copy: the bench user's API password is set there, edit-tag
changes read states there (an even number of calls, so each id ends as it
began), and the Fever case marks read every entry but the newest 50,000 (SQL
that fires the schema's counter triggers; the counters are checked after).
``--reuse`` skips the copy when the working copy exists: after an earlier run it
holds the 50,000-unread state, so the Google Reader figures are then of that
state, not of the original's 300,942 unread.

Two phases, each with ``tidings serve --no-refresh`` in its own process on a
loopback port and one keep-alive ``http.client`` connection from this one:

1. the database's own state (~300,000 unread of 1,000,000): ClientLogin, then
   ``stream/items/ids`` (unread, all, the second unread page by continuation,
   10,000 ids each), ``stream/items/contents`` (150 long-form ids of recent
   unread entries, a different 150 each time) and ``edit-tag`` (1,000 ids,
   ``a=`` read then ``r=`` read in turn, with the ``T`` token);
2. exactly 50,000 unread: Fever ``unread_item_ids``.

Warm-up requests, then ``--reps`` timed ones each (``--quick``: fewer); p50 and
p95 in milliseconds against absolute targets; ``os.getloadavg()`` at start and end.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

USER, API_PASSWORD = "bench", "benchmark api password"
API = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
UNREAD_LEFT = 50_000
TARGETS = {
    "greader ids unread": 150.0,
    "greader ids all": 150.0,
    "greader ids unread p2": 150.0,
    "greader contents 150": 100.0,
    "greader edit-tag 1000": 100.0,
    "fever unread_item_ids": 250.0,
}

Form = list[tuple[str, str]]


class Client:
    """One keep-alive connection; ``auth`` is sent as ``GoogleLogin auth=``."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.auth = ""

    def request(self, method: str, path: str, form: Form | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"GoogleLogin auth={self.auth}"} if self.auth else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def ok(self, method: str, path: str, form: Form | None = None) -> bytes:
        status, body = self.request(method, path, form)
        if status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {body[:200]!r}")
        return body


def measure(call: Callable[[], object], warmup: int, reps: int) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def summary(times: list[float], target: float) -> dict[str, float]:
    return {
        "p50": round(statistics.median(times), 1),
        "p95": round(times[max(0, int(len(times) * 0.95 + 0.5) - 1)], 1),
        "max": round(times[-1], 1),
        "n": len(times),
        "target_p95": target,
    }


def tidings(db: Path, *args: str, stdin: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    exe = Path(sys.executable).with_name("tidings")
    done = subprocess.run(
        [str(exe), "--db", f"sqlite:///{db.resolve()}", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def serve(db: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env["TIDINGS_DB"] = f"sqlite:///{db.resolve()}"
    exe = Path(sys.executable).with_name("tidings")
    proc = subprocess.Popen(
        [str(exe), "serve", "--no-refresh", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("tidings serve did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def copy_db(source: Path, work: Path, reuse: bool) -> None:
    if reuse and work.exists():
        return
    with sqlite3.connect(source) as conn:  # the copy must hold what the WAL holds
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    shutil.copyfile(source, work)
    print(f"copied {source} to {work} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def leave_unread(db: Path, newest: int) -> int:
    """Mark read every listed entry but the ``newest`` (by id), those unread, by SQL
    that fires the counter triggers (``entry_states_read_*``, migration 0002);
    returns the unread count the counters give afterwards."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        user_id = conn.execute("SELECT id FROM users WHERE name = ?", (USER,)).fetchone()[0]
        cutoff = conn.execute(
            "SELECT e.id FROM entries e JOIN subscriptions s ON s.feed_id = e.feed_id "
            "AND s.user_id = ? AND s.unsubscribed_at IS NULL ORDER BY e.id DESC "
            "LIMIT 1 OFFSET ?",
            (user_id, newest),
        ).fetchone()[0]
        now = int(time.time())
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO entry_states (user_id, entry_id, read, read_at) "
            "SELECT ?, e.id, 1, ? FROM entries e WHERE e.id <= ? "
            "ON CONFLICT (user_id, entry_id) DO UPDATE SET read = 1, read_at = excluded.read_at "
            "WHERE entry_states.read = 0",
            (user_id, now, cutoff),
        )
        conn.execute(
            "UPDATE entry_states SET read = 0, read_at = NULL "
            "WHERE user_id = ? AND entry_id > ? AND read = 1",
            (user_id, cutoff),
        )
        conn.execute("COMMIT")
        counted = conn.execute(
            "SELECT SUM(f.n_entries - s.n_read) FROM subscriptions s "
            "JOIN feeds f ON f.id = s.feed_id WHERE s.user_id = ?",
            (user_id,),
        ).fetchone()[0]
        exact = conn.execute(
            "SELECT COUNT(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM entry_states st "
            "WHERE st.user_id = ? AND st.entry_id = e.id AND (st.read = 1 OR st.hidden = 1))",
            (user_id,),
        ).fetchone()[0]
        if counted != exact:
            raise RuntimeError(f"counters say {counted} unread, the states {exact}")
        return int(exact)
    finally:
        conn.close()


def greader_phase(port: int, warmup: int, reps: int) -> dict[str, list[float]]:
    client = Client(port)
    login = client.ok("POST", "/accounts/ClientLogin", [("Email", USER), ("Passwd", API_PASSWORD)])
    client.auth = dict(line.split("=", 1) for line in login.decode().split())["Auth"]
    token = client.ok("GET", f"{API}/token").decode().strip()

    def ids_path(unread: bool, c: str | None = None) -> str:
        query = [("s", READING_LIST), ("n", "10000"), ("output", "json")]
        if unread:
            query.append(("xt", READ))
        if c is not None:
            query.append(("c", c))
        return f"{API}/stream/items/ids?{urlencode(query)}"

    first = json.loads(client.ok("GET", ids_path(True)))
    unread = [int(r["id"]) for r in first["itemRefs"]]
    assert len(unread) == 10_000, len(unread)
    page2 = ids_path(True, first["continuation"])
    times: dict[str, list[float]] = {}
    for name, path in (
        ("greader ids unread", ids_path(True)),
        ("greader ids all", ids_path(False)),
        ("greader ids unread p2", page2),
    ):
        times[name] = measure(lambda path=path: client.ok("GET", path), warmup, reps)

    chunks = [unread[i : i + 150] for i in range(0, len(unread), 150)][: warmup + reps]
    turn = iter(range(10**9))

    def contents() -> None:
        chunk = chunks[next(turn) % len(chunks)]
        form = [("i", f"tag:google.com,2005:reader/item/{i:016x}") for i in chunk]
        body = json.loads(client.ok("POST", f"{API}/stream/items/contents?output=json", form))
        assert len(body["items"]) == len(chunk), len(body["items"])

    times["greader contents 150"] = measure(contents, warmup, reps)

    edited = [("i", f"tag:google.com,2005:reader/item/{i:016x}") for i in unread[:1000]]
    calls = iter(range(10**9))

    def edit_tag() -> None:  # read, then unread again: every call changes 1,000 states
        action = "a" if next(calls) % 2 == 0 else "r"
        assert client.ok("POST", f"{API}/edit-tag", [("T", token), (action, READ), *edited])

    # an even number of calls in all, so the 1,000 entries end unread as they began
    times["greader edit-tag 1000"] = measure(edit_tag, warmup + warmup % 2, reps + reps % 2)
    edit_tag()  # a check that the calls did change states: read now, then unread again
    after = json.loads(client.ok("GET", ids_path(True)))
    assert not {int(r["id"]) for r in after["itemRefs"]} & set(unread[:1000])
    edit_tag()
    assert json.loads(client.ok("GET", ids_path(True))) == first
    return times


def fever_phase(port: int, warmup: int, reps: int) -> dict[str, list[float]]:
    client = Client(port)
    key = hashlib.md5(f"{USER}:{API_PASSWORD}".encode()).hexdigest()

    def unread_ids() -> None:
        body = json.loads(client.ok("POST", "/fever/?api&unread_item_ids", [("api_key", key)]))
        assert body["auth"] == 1
        assert body["unread_item_ids"].count(",") == UNREAD_LEFT - 1

    return {"fever unread_item_ids": measure(unread_ids, warmup, reps)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Sync API latency on a large database")
    parser.add_argument("--db", type=Path, default=Path("/work/bench-web.db"))
    parser.add_argument("--work", type=Path, help="the working copy (default: bench-api.db)")
    parser.add_argument("--reuse", action="store_true", help="reuse the working copy if it exists")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="30 reps, 3 warm-ups")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reps, warmup = (30, 3) if args.quick else (max(30, args.reps), args.warmup)
    work = args.work or args.db.with_name("bench-api.db")
    if work.resolve() == args.db.resolve():
        sys.exit("--work must not be --db: the benchmark changes read states")
    load_start = os.getloadavg()
    copy_db(args.db, work, args.reuse)
    tidings(work, "user", "api-password", USER, "--password-stdin", stdin=API_PASSWORD + "\n")
    times: dict[str, list[float]] = {}
    proc, port = serve(work)
    try:
        times.update(greader_phase(port, warmup, reps))
    finally:
        stop(proc)
    left = leave_unread(work, UNREAD_LEFT)
    assert left == UNREAD_LEFT, left
    proc, port = serve(work)
    try:
        times.update(fever_phase(port, warmup, reps))
    finally:
        stop(proc)
    load_end = os.getloadavg()
    results = {name: summary(t, TARGETS[name]) for name, t in times.items()}
    if args.json:
        print(json.dumps({"load_start": load_start, "load_end": load_end, **results}, indent=2))
        return
    print(f"load average at start {' '.join(f'{x:.2f}' for x in load_start)}")
    print(f"{'request':24} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target p95':>11}")
    for name, r in results.items():
        ok = "ok" if r["p95"] < r["target_p95"] else "MISSED"
        print(
            f"{name:24} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f} "
            f"{r['target_p95']:>8.0f}    {ok}"
        )
    print(f"load average at end {' '.join(f'{x:.2f}' for x in load_end)} ({reps} reps each)")


if __name__ == "__main__":
    main()
