"""The feed claim under load (#13): N feeds, C claimer processes, one database.

    .venv/bin/python benchmarks/claim.py [--n 1000000] [--claimers 8] [--seconds 20]
        [--url postgresql://postgres@127.0.0.1:5432/postgres | --url sqlite:////tmp/claim.db]

Fills a dedicated schema (``bench_claim``, kept between runs and reset) or
SQLite file with N feeds on skewed hosts: 10 platforms with 5% of the feeds
(5,000 each at 1M), 1,000 mid-sized hosts with 10% (100 each), and the rest on
hosts with ~2 feeds each (Poisson: most 1-3). Every feed has a subscriber (10%
two); ``--due`` of them (60%) are due, in random order over the past day.

Each claimer is its own process with its own store, as ``tidings worker``
processes are: it claims ``--batch`` due feeds through ``Store.claim_due``
(``per_host`` as ``settings.per_host_concurrency``), keeps ``--hold`` earlier
batches leased (a worker fetches while it claims more; ``--pause``: seconds
it works between claims, 0: claims back to back), then ends the oldest
batch's leases the way refresh results do: next check a month on, lease
cleared, in one ``UPDATE`` per batch (``--release apply``: through
``Store.apply_refreshes``, one savepoint per feed). Timed: each ``claim_due``
call.

Checked, and the run fails if broken:

- no feed is claimed twice: a result moves the feed a month on, so a second
  claim within the run could only be a second lease on a leased feed; and no
  two claims' lease intervals (claim returned .. release started) overlap;
- the per-host cap: at no instant do more than ``per_host`` of a host's
  leases overlap (the same intervals, across claimers), and a sampler process
  reading the database (one snapshot per query) never sees a host over it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from tidings.adapters.store import open_store
from tidings.adapters.store.sql.rows import to_ts
from tidings.core.urls import host_of
from tidings.errors import StorageError
from tidings.model import FeedId, FeedUpdate

BASE = datetime(2026, 1, 1, tzinfo=UTC)  # the run's clock starts here
LATER = BASE + timedelta(days=30)  # a refreshed feed's next check
LEASE = 600.0
SCHEMA = "bench_claim"
DATABASE = "tidings_bench"
USERS = 10_000
RESULT = """
UPDATE feeds SET last_fetched_at = :at, last_success_at = :at, last_error = NULL,
    error_count = 0, next_check_at = :next, lease_owner = NULL, lease_until = NULL
WHERE id IN ({ids})
"""


@dataclass(frozen=True, slots=True)
class Claim:
    owner: str
    started: float  # time.monotonic(), the same clock in every process
    returned: float
    released: float  # when its release started (the lease is live in [returned, released])
    feeds: tuple[tuple[int, str], ...]  # (feed id, host)


def host_for(i: int, n: int, rng: random.Random) -> str:
    if i < n * 0.05:
        return f"platform{i % 10}.example"
    if i < n * 0.15:
        return f"mid{i % 1000}.example"
    return f"s{rng.randrange(max(1, int(n * 0.85 / 2)))}.example"


def feed_rows(n: int, due: float) -> Iterator[tuple[int, str, str, int, int]]:
    """(id, url, host, next_check_at, created_at), the same for a seed on both engines."""
    rng = random.Random(13)
    base = int(BASE.timestamp())
    for i in range(n):
        host = host_for(i, n, rng)
        offset = rng.randrange(86_400)
        next_check = base - offset if rng.random() < due else base + 3600 + offset
        yield i + 1, f"https://{host}/feed/{i}", host, next_check, base - 10**6


def sub_rows(n: int) -> Iterator[tuple[int, int, int]]:
    created = int(BASE.timestamp()) - 10**6
    for i in range(1, n + 1):
        yield i % USERS + 1, i, created
        if i % 10 == 0:
            yield (i + 7) % USERS + 1, i, created


# -- filling and resetting ---------------------------------------------------


def fill_postgres(server_url: str, n: int, due: float, fresh: bool) -> str:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from tidings.adapters.store.postgres import create_test_schema, drop_test_schema
    from tidings.adapters.store.postgres.schemas import schema_url

    # its own database: another database's long queries do not hold back its
    # vacuum horizon (a claim scans past the dead index entries of claimed feeds)
    with psycopg.connect(server_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    base_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{DATABASE}"))
    url = schema_url(base_url, SCHEMA)
    with psycopg.connect(base_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone()
    if exists and not fresh:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM feeds").fetchone()
            if row and row[0] == n:
                reset_postgres(conn)
                return url
    drop_test_schema(base_url, SCHEMA)
    create_test_schema(base_url, SCHEMA)
    open_store(url).close()  # migrations
    t0 = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, name, created_at) "
            "SELECT g, 'u' || g, 0 FROM generate_series(1, %s) g",
            (USERS,),
        )
        with conn.cursor().copy(
            "COPY feeds (id, url, host, next_check_at, created_at) FROM STDIN"
        ) as copy:
            for row in feed_rows(n, due):
                copy.write_row(row)
        with conn.cursor().copy(
            "COPY subscriptions (user_id, feed_id, created_at) FROM STDIN"
        ) as copy:
            for sub in sub_rows(n):
                copy.write_row(sub)
        conn.execute("CREATE TABLE bench_due AS SELECT id, next_check_at FROM feeds")
        conn.execute("ALTER TABLE bench_due ADD PRIMARY KEY (id)")
        conn.execute("VACUUM ANALYZE")
    print(f"filled {n:,} feeds in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return url


def reset_postgres(conn: Any) -> None:
    """Put the feeds a run touched back as they were filled (then vacuum)."""
    conn.execute(
        "UPDATE feeds SET next_check_at = b.next_check_at, lease_owner = NULL, lease_until = NULL "
        "FROM bench_due b WHERE b.id = feeds.id "
        "AND (feeds.next_check_at <> b.next_check_at OR feeds.lease_owner IS NOT NULL)"
    )
    conn.execute("VACUUM ANALYZE feeds")


def fill_sqlite(url: str, n: int, due: float) -> str:
    import sqlite3

    from tidings.adapters.store import sqlite_path

    path = Path(sqlite_path(url))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    open_store(url).close()
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO users (id, name, created_at) VALUES (?, ?, 0)",
        ((i, f"u{i}") for i in range(1, USERS + 1)),
    )
    conn.executemany(
        "INSERT INTO feeds (id, url, host, next_check_at, created_at) VALUES (?, ?, ?, ?, ?)",
        feed_rows(n, due),
    )
    conn.executemany(
        "INSERT INTO subscriptions (user_id, feed_id, created_at) VALUES (?, ?, ?)", sub_rows(n)
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return url


# -- the run -----------------------------------------------------------------


def end_leases(store: Any, ids: list[int], at: datetime) -> None:
    """What ``UPDATE_FEED_OK`` does to each feed of a successful refresh, in one statement."""
    sql = RESULT.format(ids=store.dialect.id_list.format(param=":ids"))
    params = {"at": to_ts(at), "next": to_ts(LATER), "ids": json.dumps(ids)}
    with store._write() as conn:
        conn.execute(sql, params)


def claimer(
    n: int, url: str, args: argparse.Namespace, start: Any, out: Any
) -> None:  # pragma: no cover - a child process
    store = open_store(url)
    start.wait()
    t0 = time.monotonic()
    deadline = t0 + args.seconds
    held: list[tuple[str, float, float, tuple[tuple[int, str], ...]]] = []
    claims: list[Claim] = []

    def now() -> datetime:
        return BASE + timedelta(seconds=time.monotonic() - t0)

    def release() -> None:
        owner, started, returned, feeds = held.pop(0)
        released = time.monotonic()
        at = now()
        if args.release == "apply":
            store.apply_refreshes([(FeedUpdate(FeedId(f), at, LATER), ()) for f, _ in feeds])
        elif feeds:
            end_leases(store, [f for f, _ in feeds], at)
        claims.append(Claim(owner, started, returned, released, feeds))

    k = 0
    while time.monotonic() < deadline:
        owner = f"w{n}:{k}"
        k += 1
        started = time.monotonic()
        try:
            got = store.claim_due(
                owner, now=now(), limit=args.batch, lease_seconds=LEASE, per_host=args.per_host
            )
        except StorageError as exc:  # e.g. a wait for the old global claim lock ran out
            print(f"claimer {n}: {exc}", file=sys.stderr)
            got = []
        returned = time.monotonic()
        held.append((owner, started, returned, tuple((s.id, host_of(s.url)) for s in got)))
        if len(held) > args.hold:
            release()
        if not got:
            time.sleep(0.005)  # nothing due that the cap allows: a worker would wait
        elif args.pause:
            time.sleep(args.pause)  # fetching the batch
    while held:
        release()
    store.close()
    out.put(claims)


def sampler(url: str, per_host: int, stop: Any, out: Any) -> None:  # pragma: no cover
    """Read the live leases per host, one snapshot per query, until told to stop."""
    query = (
        "SELECT host, COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL "
        "GROUP BY host ORDER BY 2 DESC LIMIT 1"
    )
    if url.startswith("postgres"):
        import psycopg

        conn: Any = psycopg.connect(url, autocommit=True)
    else:
        import sqlite3

        from tidings.adapters.store import sqlite_path

        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
    worst: tuple[str, int] = ("", 0)
    over: list[tuple[str, int]] = []
    samples = 0
    while not stop.is_set():
        row = conn.execute(query).fetchone()
        samples += 1
        if row and row[1] > worst[1]:
            worst = (row[0], row[1])
        if row and row[1] > per_host:
            over.append((row[0], row[1]))
        time.sleep(0.02)
    conn.close()
    out.put((samples, worst, over))


def check(claims: list[Claim], per_host: int) -> list[str]:
    """What the claims broke: a feed claimed twice, overlapping leases, a host over its cap."""
    problems: list[str] = []
    by_feed: dict[int, list[Claim]] = defaultdict(list)
    events: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for c in claims:
        for feed, host in c.feeds:
            by_feed[feed].append(c)
            events[host] += [(c.returned, 1), (c.released, -1)]
    for feed, cs in by_feed.items():
        if len(cs) > 1:
            problems.append(f"feed {feed} claimed {len(cs)} times: {[c.owner for c in cs]}")
        cs.sort(key=lambda c: c.returned)
        for a, b in pairwise(cs):
            if b.returned < a.released:
                problems.append(f"feed {feed}: leases of {a.owner} and {b.owner} overlap")
    for host, evs in events.items():
        live = 0
        for _, delta in sorted(evs, key=lambda e: (e[0], e[1])):  # ends before starts
            live += delta
            if live > per_host:
                problems.append(f"host {host}: {live} leases at once (cap {per_host})")
                break
    return problems


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, args: argparse.Namespace) -> int:
    ctx = mp.get_context("fork")
    start = ctx.Barrier(args.claimers + 1)
    out = ctx.Queue()
    stop = ctx.Event()
    sampled = ctx.Queue()
    procs = [
        ctx.Process(target=claimer, args=(n, url, args, start, out)) for n in range(args.claimers)
    ]
    watch = ctx.Process(target=sampler, args=(url, args.per_host, stop, sampled))
    for p in procs:
        p.start()
    watch.start()
    load = Path("/proc/loadavg").read_text().split()[:3]
    start.wait()
    t0 = time.monotonic()
    claims: list[Claim] = [c for _ in procs for c in out.get()]
    wall = time.monotonic() - t0
    stop.set()
    samples, worst, over = sampled.get()
    for p in [*procs, watch]:
        p.join()
    ms = [(c.returned - c.started) * 1000 for c in claims]
    fed = sum(len(c.feeds) for c in claims)
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    print(
        f"{engine} n={args.n:,} claimers={args.claimers} batch={args.batch} "
        f"per_host={args.per_host} hold={args.hold} pause={args.pause} release={args.release} load(1/5/15)={'/'.join(load)}"
    )
    print(
        f"claims {len(ms)} in {wall:.1f} s: {len(ms) / wall:.1f} claims/s, "
        f"{fed / wall:,.0f} feeds/s, {fed / max(1, len(ms)):.1f} feeds/claim"
    )
    print(
        f"claim ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
    )
    print(f"sampler: {samples} snapshots, most leases on one host {worst[1]} ({worst[0]})")
    problems = check(claims, args.per_host) + [
        f"sampler saw {host} with {count} leases" for host, count in over
    ]
    for problem in problems[:20]:
        print("FAIL", problem)
    print("checks:", "FAILED" if problems else "ok (no feed leased twice, cap held)")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.6)
    parser.add_argument("--claimers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--hold", type=int, default=1, help="batches a claimer keeps leased")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds a claimer works between claims"
    )
    parser.add_argument(
        "--release",
        choices=["sql", "apply"],
        default="sql",
        help="end a batch's leases with one UPDATE as a result's, or Store.apply_refreshes",
    )
    parser.add_argument("--fresh", action="store_true", help="fill again even if filled")
    args = parser.parse_args()
    if args.url.startswith("postgres"):
        url = fill_postgres(args.url, args.n, args.due, args.fresh)
    else:
        url = fill_sqlite(args.url, args.n, args.due)
    return run(url, args)


if __name__ == "__main__":
    sys.exit(main())
