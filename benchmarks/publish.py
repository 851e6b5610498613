"""Latency of published feeds (#14) on a large database, measured over loopback.

    .venv/bin/python benchmarks/gen_web_db.py /tmp/tidings-web.db      # once: 1,000 feeds, 1M entries
    .venv/bin/python benchmarks/publish.py /tmp/tidings-web.db          # p50/p95 per document

Gives the generator's user (``bench``) a publish token and a public publication of
one category (written into the database: use a copy), starts ``tidings serve
--no-refresh`` on it (its own process), warms up, then requests each document
``--requests`` times over one keep-alive connection, as a feed reader does
(``Accept-Encoding: gzip``), and prints p50/p95/max in milliseconds:

- ``category_atom``: the private Atom feed of a category, ``?n=100`` (the same items
  each time: listed and hashed each time, rendered and compressed once);
- ``category_atom_cold``: pages of 100 from random points of the last year
  (``?before=``): listed, rendered and compressed every time;
- ``category_atom_304``: the first URL with the ETag its answer gave (a 304);
- ``category_rss``, ``category_json``: the other formats, ``?n=100``;
- ``public_page`` and ``public_page_304``: the public publication's HTML page (50 items).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from web import serve

from tidings.adapters.store import open_store

USER = "bench"
TOKEN = "benchmark-token-aaaaaaaaaaaaaaaa"  # 32 URL-safe characters, fixed for the runs
TARGETS = {"category_atom": 50.0, "category_atom_304": 5.0}


def prepare(db: Path, category: str) -> None:
    """The token and the public publication the requests read."""
    store = open_store(f"sqlite:///{db.resolve()}")
    try:
        user = next(u for u in store.get_users() if u.name == USER)
        store.set_publish_token(user.id, TOKEN, now=datetime.now(UTC))
        if not any(p.slug == "bench" for p in store.get_publications()):
            store.add_publication(
                user.id, "bench", f"category/{category}", full_text=True, now=datetime.now(UTC)
            )
    finally:
        store.close()


def get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    conn.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
    response = conn.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def measure(
    conn: http.client.HTTPConnection,
    path: str | Callable[[], str],
    headers: dict[str, str],
    n: int,
    status: int,
) -> list[float]:
    times = []
    for _ in range(n):
        url = path() if callable(path) else path
        started = time.perf_counter()
        got, _, _ = get(conn, url, headers)
        times.append((time.perf_counter() - started) * 1000)
        if got != status:
            raise RuntimeError(f"{path}: HTTP {got}, expected {status}")
    return times


def cold_pages(path: str) -> Callable[[], str]:
    """Pages from random points of the last year: a new document each time."""
    rng = random.Random(14)
    now = int(time.time())
    return lambda: f"{path}&before={rng.randint(now - 365 * 86400, now)}-0"


def summary(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "p50": round(statistics.median(times), 2),
        "p95": round(times[int(len(times) * 0.95) - 1], 2),
        "max": round(times[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Published feed latency on a large database")
    parser.add_argument("db", type=Path)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--category", default="World")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    prepare(args.db, args.category)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = serve(str(args.db), port)  # web.py's: tidings serve --no-refresh
    base = f"/published/{TOKEN}/category/{args.category}"
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        documents: dict[str, tuple[str, int]] = {
            "category_atom": (f"{base}.atom?n=100", 200),
            "category_rss": (f"{base}.rss?n=100", 200),
            "category_json": (f"{base}.json?n=100", 200),
            "public_page": ("/p/bench", 200),
        }
        results: dict[str, dict[str, float]] = {}
        sizes: dict[str, str] = {}
        for name, (path, status) in documents.items():
            got, headers, body = get(conn, path, {})
            if got != status:
                raise RuntimeError(f"{path}: HTTP {got}")
            sizes[name] = f"{len(body)} bytes {headers.get('content-encoding', 'identity')}"
            measure(conn, path, {}, 10, status)  # warm up
            runs = {name: ({}, 200)}
            if name in ("category_atom", "public_page"):
                runs[name + "_304"] = ({"If-None-Match": headers["etag"]}, 304)
                measure(conn, path, runs[name + "_304"][0], 10, 304)
            for run, (sent, expected) in runs.items():
                times = measure(conn, path, sent, args.requests, expected)
                results[run] = summary(times)
            if name == "category_atom":
                cold = cold_pages(f"{base}.atom?n=100")
                results["category_atom_cold"] = summary(measure(conn, cold, {}, args.requests, 200))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if args.json:
        print(json.dumps({"results": results, "sizes": sizes}, indent=2))
        return
    print(f"{'document':20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target p95':>11}")
    for name, r in results.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if r["p95"] < target else "MISSED")
        shown = f"{target:>8.0f} {verdict}" if target is not None else ""
        print(f"{name:20} {r['p50']:8.2f} {r['p95']:8.2f} {r['max']:8.2f} {shown}")
    for name, size in sizes.items():
        print(f"  {name}: {size}")


if __name__ == "__main__":
    main()
