"""Latency of the web reader's pages on a large database, measured over loopback.

    .venv/bin/python benchmarks/gen_web_db.py /tmp/tidings-web.db      # once: 1,000 feeds, 1M entries
    .venv/bin/python benchmarks/web.py /tmp/tidings-web.db              # p50/p95 per page
    .venv/bin/python benchmarks/web.py postgresql://postgres@127.0.0.1:5432/webbench

The database is a SQLite file or a ``postgresql://`` URL; for PostgreSQL, copy the
generated file there: ``createdb webbench && tidings copy-db --from
sqlite:////tmp/tidings-web.db --to postgresql://postgres@127.0.0.1:5432/webbench``.

Starts ``tidings serve --no-refresh`` on the database (its own process), signs
in as the generator's user from this process, warms up, then requests each
page ``--requests`` times over one keep-alive connection and prints p50/p95/max
in milliseconds: the river (all, unread, and a second page by keyset), a
category, a story (random ids), searches (a mix of queries) and the
new-stories poll every open page makes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

USER, PASSWORD = "bench", "benchmark password"
SEARCHES = [
    "election",
    "climate summit",
    "vaccine research",
    "market -football",
    "energy prices",
    '"oil gas"',
    "rocket launch",
    "feed:site12 budget",
    "category:science planet",
    "parliament vote",
    "hospital",
    "storm flood -wind",
]
TARGETS = {
    "river": 50.0,
    "river_unread": 50.0,
    "river_page2": 50.0,
    "category": 50.0,
    "story": 50.0,
    "search": 150.0,
    "poll": 50.0,
}


class Session:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, text

    def login(self) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert token, "no login page"
        status, _ = self.request(
            "POST", "/login", {"csrf": token.group(1), "name": USER, "password": PASSWORD}
        )
        assert status == 303, f"login failed: {status}"


def measure(session: Session, paths: Callable[[], str], n: int) -> list[float]:
    times = []
    for _ in range(n):
        path = paths()
        started = time.perf_counter()
        status, _ = session.request("GET", path)
        times.append((time.perf_counter() - started) * 1000)
        if status not in (200, 400):
            raise RuntimeError(f"{path}: HTTP {status}")
    return times


def serve(db: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env["TIDINGS_DB"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
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
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("tidings serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description="Web page latency on a large database")
    parser.add_argument("db", help="a SQLite file or a postgresql:// URL")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1_000_000, help="story ids to draw from")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = serve(args.db, port)
    rng = random.Random(6)
    try:
        session = Session(port)
        session.login()
        _, first = session.request("GET", "/")
        more = re.search(r'class="more" href="([^"]+)"', first)
        page2 = more.group(1).replace("&amp;", "&") if more else "/"
        found = re.search(r'data-latest="(\d+)"', first)
        latest = int(found.group(1)) - 5 if found else 0  # five "new" stories
        pages: dict[str, Callable[[], str]] = {
            "river": lambda: "/",
            "river_unread": lambda: "/?view=unread",
            "river_page2": lambda: page2,
            "category": lambda: "/category/" + quote(rng.choice(["Science", "World", "Sport"])),
            "story": lambda: f"/entry/{rng.randint(1, args.entries)}",
            "search": lambda: "/search?q=" + quote(rng.choice(SEARCHES)),
            "poll": lambda: f"/river/new?view=all&after={latest}",
        }
        for fn in pages.values():  # warm up
            measure(session, fn, 20)
        results = {}
        for name, fn in pages.items():
            times = sorted(measure(session, fn, args.requests))
            results[name] = {
                "p50": round(statistics.median(times), 1),
                "p95": round(times[int(len(times) * 0.95) - 1], 1),
                "max": round(times[-1], 1),
                "target_p95": TARGETS[name],
            }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'page':14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target p95':>11}")
    for name, r in results.items():
        ok = "ok" if r["p95"] < r["target_p95"] else "MISSED"
        print(
            f"{name:14} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f} {r['target_p95']:>8.0f} {ok}"
        )


if __name__ == "__main__":
    main()
