"""Faults on PostgreSQL (#13; HOSTILE F5, F6): a `tidings worker` killed mid-batch,
the database restarted under a running worker, a write past ``statement_timeout``.

Each test ends the same way: every entry of the loopback feed farm is stored
exactly once (none lost, none twice), no feed is still leased, and no feed's
ETag ever moved on without the entries of the document it names.
Needs TEST_DATABASE_URL (skipped without it); the restart test also starts a
private PostgreSQL cluster of its own (never the shared server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer

from tidings.adapters.store.postgres import PostgresStore
from tidings.aggregator import Aggregator, make_app
from tidings.errors import StorageError
from tidings.model import BatchSummary
from tidings.settings import load_settings
from tidings.worker.loop import run_worker

pytestmark = pytest.mark.postgres

EXE = str(Path(sys.executable).with_name("tidings"))
HOSTS = 4  # loopback addresses 127.0.0.1-4: the per-host cap (4) applies to each
PER_HOST = 6  # two waves of fetches per host and pass
FEEDS = HOSTS * PER_HOST
ENTRIES = 3  # each feed's first document; every round adds one entry to every feed
DELAY = 0.2  # seconds the farm takes per answer: a worker is mid-batch for a while
ELSEWHERE = "elsewhere.invalid"  # the host name of "another machine's" worker


# the farm


class Farm:
    """``HOSTS`` slow feed servers with ``PER_HOST`` feeds each; remembers, for every
    feed, the entries of each document it served, by that document's ETag."""

    def __init__(self, servers: list[FeedServer]) -> None:
        self.servers = servers
        self.entries = 0
        self.history: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)

    def feeds(self) -> Iterator[tuple[FeedServer, int, str]]:
        for server in self.servers:
            for i in range(PER_HOST):
                yield server, i, server.url(f"/f{i}.xml")

    def publish(self, entries: int, *, delay: float = DELAY) -> None:
        """Every feed now serves ``entries`` entries (``story-0`` ...)."""
        for server, i, url in self.feeds():
            body = rss(entries, title=f"{server.host} {i}", base=server.url(f"/site{i}/"))
            etag = server.set(f"/f{i}.xml", body, delay=delay).etag
            assert etag is not None
            self.history[url][etag] = frozenset(f"story-{n}" for n in range(entries))
        self.entries = entries

    def expected(self) -> list[tuple[str, str, int]]:
        """(feed URL, guid, 1) for every entry the farm serves now."""
        return sorted(
            (url, f"story-{n}", 1) for *_, url in self.feeds() for n in range(self.entries)
        )

    def hits(self, urls: set[str] | None = None) -> int:
        """Feed fetches so far (of ``urls``, or of every feed)."""
        return sum(
            s.hits(f"/f{i}.xml") for s, i, url in self.feeds() if urls is None or url in urls
        )

    def opml(self, path: Path) -> Path:
        outlines = "".join(f'<outline type="rss" xmlUrl="{url}"/>' for *_, url in self.feeds())
        path.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
        return path


@pytest.fixture
def farm() -> Iterator[Farm]:
    servers = [FeedServer(f"127.0.0.{h + 1}").start() for h in range(HOSTS)]
    try:
        yield Farm(servers)
    finally:
        for server in servers:
            server.stop()






def worker_env(tidings: Tidings, db: str, **extra: str) -> dict[str, str]:
    """`tidings` on ``db``; feeds due again a second after each check, passes every
    second (so each round of a test finds every feed due), parsing in-process."""
    return {
        **tidings.env,
        "TIDINGS_DB": db,
        "TIDINGS_MIN_INTERVAL": "1",
        "TIDINGS_MAX_INTERVAL": "1",
        "TIDINGS_REFRESH_EVERY": "1",
        "TIDINGS_PARSE_WORKERS": "1",
        "TIDINGS_FULL_TEXT_DEFAULT": "never",
        **extra,
    }


def start_worker(
    env: dict[str, str], *args: str, hostname: str | None = None
) -> subprocess.Popen[str]:
    """A `tidings worker` process; with ``hostname``, in a UTS namespace of its own
    under that name (another machine, as far as its leases tell)."""
    command = [EXE, "worker", *args]
    if hostname is not None:
        command = [
            "unshare",
            "--uts",
            "sh",
            "-c",
            f'hostname {hostname} && exec "$@"',
            "sh",
            *command,
        ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def other_hosts_possible() -> bool:
    """Whether this test may name a process's host (root, with unshare)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--uts", "sh", "-c", f"hostname {ELSEWHERE} && hostname"],
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0 and probe.stdout.strip() == ELSEWHERE


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# what is in the database


def rows(db: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(db, autocommit=True) as conn:
        cur = conn.execute(sql, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


STORED = """
SELECT f.url, e.guid, COUNT(*) FROM entries e JOIN feeds f ON f.id = e.feed_id
GROUP BY f.url, e.guid ORDER BY f.url, e.guid
"""


def leases(db: str) -> dict[str, str]:
    return dict(rows(db, "SELECT url, lease_owner FROM feeds WHERE lease_owner IS NOT NULL"))


def assert_whole(db: str, farm: Farm) -> None:
    """Nothing twice; no entry the farm never served; and a feed's ETag names a
    document whose entries are all stored (validators commit with the entries)."""
    stored = rows(db, STORED)
    assert [r for r in stored if r[2] != 1] == []
    by_feed: dict[str, set[str]] = defaultdict(set)
    for url, guid, _ in stored:
        by_feed[url].add(guid)
    for url, etag in rows(db, "SELECT url, etag FROM feeds"):
        served = farm.history[url]
        assert by_feed[url] <= set().union(*served.values()), url
        if etag is not None:
            missing = served[etag] - by_feed[url]
            assert not missing, f"{url}: its ETag moved on without {sorted(missing)}"
    indexed = rows(
        db, "SELECT COUNT(*), COUNT(s.id) FROM entries e LEFT JOIN entry_search s ON s.id = e.id"
    )
    assert indexed[0][0] == indexed[0][1]  # each entry searchable, once (entry_search's key)


def assert_exactly_once(db: str, farm: Farm) -> None:
    """Every entry the farm serves is stored once, and no feed is leased."""
    assert_whole(db, farm)
    assert rows(db, STORED) == farm.expected()
    assert leases(db) == {}


def all_due(db: str) -> bool:
    return rows(db, "SELECT COUNT(*) FROM feeds WHERE next_check_at > %s", (int(time.time()),)) == [
        (0,)
    ]


# 1. SIGKILL of a worker mid-batch, 20 times

ROUNDS = 20


@pytest.mark.slow
def test_a_worker_killed_mid_batch_twenty_times_loses_and_doubles_nothing(
    tidings: Tidings, farm: Farm, pg_url: str, tmp_path: Path
) -> None:
    env = worker_env(tidings, pg_url)
    pg = Tidings(env)
    farm.publish(ENTRIES)
    pg.run("import-opml", str(farm.opml(tmp_path / "farm.opml")))
    elsewhere = other_hosts_possible()
    rng = random.Random(13)
    away_rounds = 0
    for round_ in range(ROUNDS):
        farm.publish(ENTRIES + round_)  # news on every feed
        # Most killed workers ran here: the next one sees their process is gone and
        # takes their feeds at once. Every tenth ran "on another machine": its
        # leases must be waited out.
        away = elsewhere and round_ % 10 == 9
        if away and leases(pg_url):
            # A worker here ends the leases of one killed here at once (its process is
            # gone), and takes their feeds; "another machine" could not (they count
            # against its per-host cap until they expire).
            pg.run("worker", "--once")
            assert leases(pg_url) == {}
            assert_whole(pg_url, farm)
        before = farm.hits()
        proc = start_worker(env, hostname=ELSEWHERE if away else None)
        wanted = rng.randint(0, FEEDS)  # fetches: none yet, some, all (then writes)
        wait_for(
            lambda p=proc, n=before + wanted: farm.hits() >= n or p.poll() is not None,
            f"{wanted} fetches in round {round_}",
        )
        time.sleep(rng.uniform(0, DELAY))
        proc.kill()
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, err  # it was still running
        assert_whole(pg_url, farm)
        held = {u: o for u, o in leases(pg_url).items() if o.startswith(f"{ELSEWHERE}:")}
        if away and held:  # (other leases are of workers killed here: the next one ends them)
            away_rounds += 1
            fetched = farm.hits(set(held))
            pg.run("worker", "--once")  # cannot tell whether that machine's worker lives
            assert leases(pg_url) == held and farm.hits(set(held)) == fetched
            # ... until the lease runs out (here the test moves its end, not the clock)
            rows(
                pg_url,
                "UPDATE feeds SET lease_until = %s WHERE lease_owner IS NOT NULL",
                (int(time.time()) - 1,),
            )
    wait_for(lambda: all_due(pg_url), "every feed due")
    proc = start_worker(env, "--once")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert_exactly_once(pg_url, farm)
    if elsewhere:
        assert away_rounds > 0, "no worker of another machine died holding leases"


# 2. The database restarted under a running worker



class Cluster:
    """A private PostgreSQL cluster in a temporary directory, on a free loopback
    port, run as the ``postgres`` user (the server refuses to run as root)."""

    def __init__(self, bin_dir: Path, root: Path, as_user: list[str]) -> None:
        self.bin_dir, self.root, self.as_user = bin_dir, root, as_user
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    def init(self) -> subprocess.CompletedProcess[str]:
        data = str(self.root / "data")
        return self._run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = str(self.root / "data"), str(self.root / "log")
        proc = self._run("pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def stop(self, mode: str) -> None:
        proc = self._run("pg_ctl", "-D", str(self.root / "data"), "-m", mode, "-w", "stop")
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to start one")
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a cluster as")
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser to run a cluster as postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tidings-pg-"))
    try:
        if as_user:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        cluster = Cluster(found[-1].parent, root, as_user)
        made = cluster.init()
        if made.returncode != 0:
            pytest.skip(f"cannot make a private PostgreSQL cluster: {made.stderr.strip()}")
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stored(db: str) -> list[tuple[Any, ...]] | None:
    """The stored entries, or None while the server is away."""
    try:
        return rows(db, STORED)
    except psycopg.OperationalError:
        return None


def waiting(db: str, lock: str) -> bool:
    """Whether some backend waits for ``lock`` (``pg_locks.locktype``)."""
    sql = "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype = %s"
    return rows(db, sql, (lock,)) != [(0,)]


def block_the_claim(db: str) -> psycopg.Connection[Any]:
    """A connection whose table lock holds the worker's claim waiting.

    Feeds fall due every second, so the lock may catch a pass's result write
    (which also waits for ``feeds``) rather than its claim: then the lock is let
    go, and taken again until the claim is what waits.
    """
    deadline = time.monotonic() + 60
    while True:
        blocker = psycopg.connect(db)
        blocker.execute("LOCK TABLE feeds IN EXCLUSIVE MODE")  # a claim's row locks wait
        wait_for(lambda: waiting(db, "relation"), "the worker's claim or write")
        if rows(db, CLAIM_WAITS) != [(0,)]:
            return blocker
        blocker.close()  # a write waited: let it through
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a claim to wait")
        time.sleep(0.1)


CLAIM_WAITS = """
SELECT COUNT(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE '%%claim_due_feeds%%'
"""


@pytest.mark.slow
def test_a_database_restarted_under_a_running_worker_loses_nothing(
    tidings: Tidings, farm: Farm, cluster: Cluster, tmp_path: Path
) -> None:
    db = cluster.url
    env = worker_env(tidings, db)
    pg = Tidings(env)
    farm.publish(ENTRIES, delay=0.05)
    pg.run("import-opml", str(farm.opml(tmp_path / "farm.opml")))
    worker = start_worker(env)
    try:
        wait_for(lambda: stored(db) == farm.expected(), "the first pass")

        # The server crashes while the worker's write waits for a lock: the write
        # fails whole, and its feeds are written once the server is back.
        farm.publish(ENTRIES + 1, delay=0.05)
        blocker = psycopg.connect(db)
        blocker.execute("LOCK TABLE entries IN SHARE MODE")
        wait_for(lambda: waiting(db, "relation"), "the worker's write")
        acked = rows(db, STORED)
        cluster.stop("immediate")
        blocker.close()
        time.sleep(1.5)  # an outage: the worker's calls wait for the pool to reconnect
        cluster.start()
        wait_for(lambda: stored(db) == farm.expected(), "the write after the crash", 60)
        assert set(acked) <= set(stored(db) or ())
        assert_whole(db, farm)

        # The server is shut down while the worker's claim waits: that pass fails,
        # the next one claims the feeds again.
        farm.publish(ENTRIES + 2, delay=0.05)
        blocker = block_the_claim(db)
        cluster.stop("fast")
        blocker.close()
        cluster.start()
        wait_for(lambda: stored(db) == farm.expected(), "the claim after the restart", 60)
        assert_whole(db, farm)
    finally:
        worker.send_signal(signal.SIGINT)
        _, err = worker.communicate(timeout=30)
    lines = err.splitlines()
    assert [line for line in lines if "Traceback" in line] == []
    failed = [line for line in lines if "scheduler pass failed" in line]
    assert len(failed) == 1 and "lost the connection to PostgreSQL" in failed[0], failed
    proc = start_worker(env, "--once")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert_exactly_once(db, farm)


# 3. A write past statement_timeout


def with_statement_timeout(url: str, ms: int) -> str:
    """``url`` whose connections set ``statement_timeout`` (an operator's option)."""
    return url.replace("options=", f"options=-cstatement_timeout%3D{ms}%20", 1)


@pytest.mark.slow
def test_a_write_past_statement_timeout_is_a_clear_error_and_is_retried(
    tidings: Tidings, feed_server: FeedServer, pg_url: str, tmp_path: Path
) -> None:
    env = {**tidings.env, "TIDINGS_FULL_TEXT_DEFAULT": "never"}
    pg = Tidings({**env, "TIDINGS_DB": with_statement_timeout(pg_url, 500)})
    outlines = ""
    for i in range(3):
        feed_server.set(f"/f{i}.xml", rss(ENTRIES, base=feed_server.url(f"/site{i}/")))
        outlines += f'<outline type="rss" xmlUrl="{feed_server.url(f"/f{i}.xml")}"/>'
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>')
    pg.run("import-opml", str(opml))
    with psycopg.connect(pg_url) as maintenance:  # holds the table, as a CREATE INDEX would
        maintenance.execute("LOCK TABLE entries IN SHARE MODE")
        refresh = pg.run("refresh", check=False)
        once = pg.run("worker", "--once", check=False)
    message = "3 of 3 feeds could not be stored: the database took too long "
    message += "(canceling statement due to statement timeout)"
    for proc in (refresh, once):  # both say so and exit 1
        assert proc.returncode == 1 and f"Error: {message}" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert "storage failed for" in once.stderr  # its log names each feed
    assert rows(pg_url, "SELECT COUNT(*) FROM entries") == [(0,)]  # nothing half-written
    assert rows(pg_url, "SELECT COUNT(etag), COUNT(last_fetched_at) FROM feeds") == [(0, 0)]
    assert leases(pg_url) == {}
    with psycopg.connect(pg_url) as other:  # the claim itself waits past the timeout
        other.execute("LOCK TABLE feeds IN EXCLUSIVE MODE")  # reads go on; no row lock
        once = pg.run("worker", "--once", check=False)
    assert once.returncode == 1 and "Traceback" not in once.stderr, once.stderr
    assert "Error: the database took too long (canceling statement" in once.stderr
    assert rows(pg_url, "SELECT COUNT(*) FROM entries") == [(0,)]
    assert leases(pg_url) == {}
    # Still due: the next pass (the table free again) writes them.
    once = pg.run("worker", "--once")
    assert "refreshed 3 feeds: 3 ok" in once.stderr
    stored = rows(pg_url, STORED)
    assert len(stored) == 3 * ENTRIES and {r[2] for r in stored} == {1}
    assert leases(pg_url) == {}


def answers(agg: Aggregator) -> bool:
    try:
        agg.store.get_next_check_at()
    except StorageError:
        return False
    return True


@pytest.mark.slow
def test_leases_a_pass_could_not_end_while_the_server_was_away_are_ended_by_the_next(
    tidings: Tidings, feed_server: FeedServer, cluster: Cluster
) -> None:
    pg = Tidings({**tidings.env, "TIDINGS_DB": cluster.url})
    urls = [feed_server.url(f"/f{i}.xml") for i in range(2)]
    for i, url in enumerate(urls):
        feed_server.set(f"/f{i}.xml", rss(ENTRIES, base=feed_server.url(f"/site{i}/")), delay=1)
        pg.run("add", url, "--no-discover")
    overrides = {"db": cluster.url, "allow_private_networks": "127.0.0.0/8", "parse_workers": 1}
    settings = load_settings(overrides, environ={})
    # a pool that waits 1 s for a connection: the server is away for longer
    agg = make_app(settings, store=PostgresStore(cluster.url, timeout=1))

    async def outage_then_refresh() -> BatchSummary:
        first = asyncio.create_task(agg.refresh())
        while feed_server.hits("/f0.xml") + feed_server.hits("/f1.xml") < 2:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(cluster.stop, "fast")  # while both are being fetched
        with pytest.raises(StorageError):  # nor could it end its leases
            await first
        await asyncio.to_thread(cluster.start)
        await asyncio.to_thread(wait_for, lambda: answers(agg), "the store")
        return await agg.refresh()

    try:
        summary = asyncio.run(outage_then_refresh())
    finally:
        agg.close()
    assert sorted(r.feed_url for r in summary.results) == urls and summary.ok == 2
    assert len(rows(cluster.url, STORED)) == 2 * ENTRIES
    assert leases(cluster.url) == {}


@pytest.mark.slow
def test_a_pool_whose_server_was_away_reconnects_soon_after_it_is_back(cluster: Cluster) -> None:
    store = PostgresStore(cluster.url, timeout=2)
    try:
        user = store.ensure_user("u")
        cluster.stop("fast")
        away = time.monotonic()
        with pytest.raises(StorageError):  # its connection died; no new one can be made
            store.get_user_settings(user)
        # psycopg_pool retries a connection 1, 3, 7, 15, 31 ... s after it failed: back
        # between two retries, the server is not to wait for the next one
        time.sleep(max(0.0, 10.5 - (time.monotonic() - away)))
        cluster.start()
        assert store.get_user_settings(user) == {}  # within the call's wait for a connection
    finally:
        store.close()


@pytest.mark.slow
def test_the_worker_loop_says_each_failed_pass_in_one_line_and_goes_on(
    tidings: Tidings, feed_server: FeedServer, cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    pg = Tidings({**tidings.env, "TIDINGS_DB": cluster.url})
    for i in range(2):
        feed_server.set(f"/f{i}.xml", rss(ENTRIES, base=feed_server.url(f"/site{i}/")))
        pg.run("add", feed_server.url(f"/f{i}.xml"), "--no-discover")
    overrides = {
        "db": cluster.url,
        "allow_private_networks": "127.0.0.0/8",
        "parse_workers": 1,
        "min_interval": 1,
        "max_interval": 1,
        "refresh_every": 1,
    }
    agg = make_app(
        load_settings(overrides, environ={}), store=PostgresStore(cluster.url, timeout=1)
    )

    def count(what: str) -> int:
        return sum(what in r.getMessage() for r in caplog.records)

    async def outage() -> None:
        stop = asyncio.Event()
        loop = asyncio.create_task(run_worker(agg, stop=stop))
        await asyncio.to_thread(wait_for, lambda: len(stored(cluster.url) or ()) == 6, "a pass")
        await asyncio.to_thread(cluster.stop, "fast")
        await asyncio.to_thread(wait_for, lambda: count("scheduler pass failed") >= 2, "passes")
        await asyncio.to_thread(cluster.start)
        for i in range(2):
            feed_server.set(f"/f{i}.xml", rss(ENTRIES + 1, base=feed_server.url(f"/site{i}/")))
        await asyncio.to_thread(wait_for, lambda: len(stored(cluster.url) or ()) == 8, "news")
        stop.set()
        await loop

    caplog.set_level(logging.INFO)
    try:
        asyncio.run(outage())
    finally:
        agg.close()
    ours = [r for r in caplog.records if r.name.startswith("tidings")]
    assert [r.getMessage() for r in ours if r.exc_info] == []  # no traceback for a fault
    failed = [r.getMessage() for r in ours if "scheduler pass failed" in r.getMessage()]
    assert all("cannot connect to PostgreSQL" in m for m in failed), failed
    assert leases(cluster.url) == {}


class Proxy:
    """A loopback TCP proxy in front of ``port``; ``hold()`` makes it accept new
    connections and never answer (a server that hangs, or a network black hole)."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.holding = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []  # closed by close()
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self, on: bool = True) -> None:
        if on:
            self.holding.set()
        else:
            self.holding.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.holding.is_set():
                continue  # never read, never answered
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._sockets.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()
        for s in self._sockets:
            s.close()


@pytest.mark.slow
def test_a_pool_recovers_from_a_server_that_hung_its_new_connections(cluster: Cluster) -> None:
    proxy = Proxy(cluster.port)
    url = cluster.url.replace(f":{cluster.port}/", f":{proxy.port}/")
    store = PostgresStore(url, timeout=3, connect_timeout=2)
    try:
        user = store.ensure_user("u")
        proxy.hold()
        rows(
            cluster.url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        )
        with pytest.raises(StorageError, match="cannot connect to PostgreSQL"):
            store.get_user_settings(user)
        proxy.hold(False)  # the connections it hung stay hung
        wait_for(lambda: answers_store(store), "the store", timeout=20)
    finally:
        store.close()
        proxy.close()


def answers_store(store: PostgresStore) -> bool:
    try:
        store.get_user_settings(store.ensure_user("u"))
    except StorageError:
        return False
    return True
