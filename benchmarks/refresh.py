"""Refresh benchmark: Tidings vs reader vs newsboat on N generated news feeds.

    .venv/bin/python benchmarks/refresh.py [--n 500,2000] [--latency 0,50] [--quick]
        [--db postgresql://postgres@127.0.0.1:5432/postgres] [--pg-workers 1,2,4] [--pg-once]

For each N and latency, a fixture server (``feedfarm.py``, its own process)
serves N realistic feeds (RSS 2.0 / Atom / RDF / JSON Feed, ~20-200 KB,
median ~75 KB) over 32 loopback addresses. Each system starts from a fresh
database and refreshes three times:

- **cold**: every feed answers 200 (first download, everything new);
- **warm**: nothing changed; every conditional request answers 304;
- **changed**: every feed has one new entry (new ETag, 200).

Every system runs in its own child process; the table shows feeds/s (N /
wall time of the refresh), peak RSS of that process tree (sum of VmRSS of the
process and all its descendants, sampled every 50 ms) and entries stored
against the count the farm says a reader must have.

Tidings runs its whole refresh: parse, sanitize, dedupe, the story step of #5
(clutter, lead, language, MinHash, clusters, rules) and the store with its search
index. Its full-text mode is ``never`` unless ``--full-text auto``: the peers
fetch no article pages, and the farm serves none (``auto`` would look for the
teasers' pages at ``siteN.example``, i.e. ask a DNS server). The diagnostic
``tidings-core`` row leaves the story step out (the pipeline issue #4 named).

With ``--db postgresql://...`` (#13), the ``tidings-pg ×W`` rows run Tidings on
PostgreSQL as it is deployed there: for each W in ``--pg-workers``, a fresh
schema of that database, the N feeds subscribed once (as for SQLite), then per
phase every feed made due (``next_check_at`` set to the past, untimed: the
SQLite row refreshes ``all_feeds`` instead, which needs no due time) and a
refresh request sent (the NOTIFY a web server's "refresh now" sends) to W
``tidings worker`` processes started before the phases, as they run when
deployed; they share the due feeds through the leases in the database. Its wall
time runs from the commit of that request until every feed has its result of
the phase and no lease is left (the schema polled every 20 ms), as the SQLite
row times only its refresh call; its RSS is the sum over all W process trees.
``--pg-once`` starts W ``tidings worker --once`` per phase instead and times
them until the last exits (start-up, imports and the connection pool included:
the line printed before the phases shows what one worker with nothing due
costs). Afterwards, in SQL: every feed fetched in the phase, each entry stored
once, no lease left; then ``ANALYZE`` (untimed: a server with autovacuum off
never gathers statistics).
The worker's icon fetch after its pass is kept out (the setup records every
feed's icon as tried), since no other row fetches icons.

Peers, measured fairly:

- ``reader`` (``update_feeds(scheduled=False, workers=W)``) runs the whole
  sequence once per workers setting; the table shows its best per phase.
- newsboat 2.21 (Debian) reloads with ``newsboat -x reload``, once per
  ``reload-threads`` setting, best per phase. It does not read JSON Feed, so
  it gets only the XML feeds (its feeds/s counts those). It stores no ETag on
  a feed's first download, so its *second* refresh still downloads every feed
  (shown as ``warm (2nd)``); its *third* is its true no-change case and is
  the one compared as ``warm``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from contenders import newsboat_command, newsboat_entries, run_newsboat
from feedfarm import FarmProcess

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    system: str
    setting: str
    n: int
    latency: float
    phase: str
    feeds: int
    seconds: float
    peak_rss_mb: float
    entries: int
    expected: int
    failed: int = 0
    served: dict[str, object] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.feeds / self.seconds if self.seconds > 0 else 0.0


class TreeRss:
    """Samples the summed VmRSS of processes (a pid or several) and all their descendants,
    and the CPU seconds each of them used while sampled (``cpu``; a process that
    ended counts what its last sample saw)."""

    def __init__(self, pid: int | list[int], interval: float = 0.05) -> None:
        self.pids = [pid] if isinstance(pid, int) else pid
        self.interval, self.peak_kb = interval, 0
        self._cpu = CpuTicks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            p = todo.pop()
            found.append(p)
            try:
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return found

    def _rss_kb(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)
        self._sample()

    def _sample(self) -> None:
        tree = [p for pid in self.pids for p in self._tree(pid)]
        self.peak_kb = max(self.peak_kb, sum(self._rss_kb(p) for p in tree))
        self._cpu.sample(tree)

    @property
    def cpu(self) -> float:
        """CPU seconds of the trees since the first sample (a child's from its start)."""
        return self._cpu.seconds

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class CpuTicks:
    """CPU seconds that processes used between their samples: a process in the first
    sample counts from there, one seen later from its start, one that ended what its
    last sample saw."""

    def __init__(self) -> None:
        self._ticks: dict[int, tuple[int, int]] = {}  # pid: (first seen, last seen)
        self._sampled = False

    def sample(self, pids: list[int]) -> None:
        for pid in pids:
            ticks = cpu_ticks(pid)
            if ticks is not None:
                first = self._ticks.get(pid, (0, 0))[0] if self._sampled else ticks
                self._ticks[pid] = (first, ticks)
        self._sampled = True

    @property
    def seconds(self) -> float:
        return sum(last - first for first, last in self._ticks.values()) / CLOCK_TICKS


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` (clock ticks), or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


BACKEND = re.compile(r"postgres: [^:]+: \S+ (\S+) ")


class ServerCpu:
    """CPU seconds of the PostgreSQL server on this machine while running: its own
    processes (WAL writer, checkpointer ...) and the backends of ``database`` (not
    those of others, which other work on the machine may use), sampled every 50 ms
    (a backend that ends counts what its last sample saw)."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._cpu = CpuTicks()
        self._stop = threading.Event()
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        pids = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if (proc / "comm").read_text().strip() != "postgres":
                    continue
                title = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            backend = BACKEND.match(title)  # "postgres: 15/main: user database host(port) ..."
            if backend and backend.group(1) != self.database:
                continue
            pids.append(int(proc.name))
        self._cpu.sample(pids)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self._cpu.seconds


def run_python(args: list[str], timeout: float = 3600) -> tuple[dict[str, object], float]:
    """Run ``contenders.py`` with ``args``; return its JSON line and peak tree RSS (MB)."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "contenders.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    rss = TreeRss(proc.pid)
    out, err = proc.communicate(timeout=timeout)
    peak = rss.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"contenders.py {' '.join(args)} failed:\n{err[-3000:]}")
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["cpu_s"] = rss.cpu  # the whole process: its start-up too
    return result, peak


class Bench:
    def __init__(self, farm: FarmProcess, n: int, latency: float, workdir: Path) -> None:
        self.farm, self.n, self.latency, self.workdir = farm, n, latency, workdir
        self.results: list[Result] = []

    def _fresh(self, name: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))
        (folder / "urls.txt").write_text("\n".join(self.farm.urls()))
        return folder

    def _phase(self, phase: str) -> None:
        self.farm.set_generation(1 if phase == "changed" else 0)
        self.farm.reset_stats()

    def _record(
        self,
        system: str,
        setting: str,
        phase: str,
        feeds: int,
        seconds: float,
        peak: float,
        entries: int,
        expected: int,
        failed: int = 0,
        cpu: float | None = None,
    ) -> None:
        r = Result(
            system,
            setting,
            self.n,
            self.latency,
            phase,
            feeds,
            seconds,
            peak,
            entries,
            expected,
            failed,
            self.farm.stats(),
        )
        self.results.append(r)
        print(
            f"  {system:8} {setting:12} {phase:11} {r.rate:8.1f} feeds/s {seconds:7.2f} s "
            f"{peak:6.0f} MB  entries {entries}/{expected}  failed {failed}  "
            f"served 200={r.served.get('200')} 304={r.served.get('304')} "
            f"server cpu {r.served.get('cpu_s')} s"
            + ("" if cpu is None else f"  CPU {cpu / feeds * 1000:.1f} ms/feed"),
            flush=True,
        )

    def tidings(self, core: bool = False) -> None:
        folder = self._fresh("tidings")
        run_python(["tidings-setup", str(folder), str(folder / "urls.txt")])
        for phase in ("cold", "warm", "changed"):
            self._phase(phase)
            out, peak = run_python(["tidings-refresh", str(folder), *(["--core"] if core else [])])
            if out.get("errors"):
                print(f"    errors: {out['errors']}")
            self._record(
                "tidings-core" if core else "tidings",
                "defaults",
                phase,
                self.n,
                float(str(out["seconds"])),
                peak,
                int(str(out["entries"])),
                self._expected(phase),
                int(str(out["failed"])),
                float(str(out["cpu_s"])),
            )

    def reader(self, workers: int) -> None:
        folder = self._fresh("reader")
        run_python(["reader-setup", str(folder), str(folder / "urls.txt")])
        for phase in ("cold", "warm", "changed"):
            self._phase(phase)
            out, peak = run_python(["reader-refresh", str(folder), str(workers)])
            self._record(
                "reader",
                f"workers={workers}",
                phase,
                self.n,
                float(str(out["seconds"])),
                peak,
                int(str(out["entries"])),
                self._expected(phase),
                int(str(out["failed"])),
                float(str(out["cpu_s"])),
            )

    def newsboat(self, threads: int) -> None:
        folder = self._fresh("newsboat")
        xml = [i for i, s in enumerate(self.farm.feeds.specs) if s.format != "json"]
        cmd, env = newsboat_command(folder, [self.farm.url(i) for i in xml], threads)
        for phase in ("cold", "warm (2nd)", "warm", "changed"):
            self._phase(phase)
            started = time.perf_counter()
            proc = run_newsboat(cmd, env)
            rss = TreeRss(proc.pid)
            _, err = proc.communicate(timeout=3600)
            seconds = time.perf_counter() - started
            peak = rss.stop()
            if proc.returncode != 0:
                raise RuntimeError(f"newsboat failed: {err.decode(errors='replace')[-2000:]}")
            entries, _etags = newsboat_entries(folder)
            expected = sum(self.farm.feeds.specs[i].entries for i in xml)
            expected += len(xml) if phase == "changed" else 0
            self._record(
                "newsboat",
                f"threads={threads}",
                phase,
                len(xml),
                seconds,
                peak,
                entries,
                expected,
                cpu=rss.cpu,
            )

    def tidings_pg(self, db: str, workers: int, once: bool = False) -> None:
        """``tidings-pg ×W``: W ``tidings worker`` processes on a fresh schema of ``db``,
        running before the phases and woken as a refresh request wakes them (``once``:
        W ``tidings worker --once`` started per phase instead, start-up included)."""
        from tidings.adapters.store.postgres import create_test_schema, drop_test_schema

        folder = self._fresh("tidings-pg")
        schema = f"bench_refresh_{uuid.uuid4().hex[:8]}"
        url = create_test_schema(db, schema)
        running: RunningWorkers | None = None
        try:
            run_python(["tidings-setup", str(folder), str(folder / "urls.txt"), url])
            env = _worker_env(folder, url)
            _set_due(url, int(time.time()) + 86400)  # the import made some due at once
            idle = _run_workers(1, env, 120)[0]  # nothing due: start-up alone
            print(f"  tidings-pg: one worker with nothing due runs {idle:.2f} s", flush=True)
            if not once:
                running = RunningWorkers(workers, env, folder, url)
            for phase in ("cold", "warm", "changed"):
                self._phase(phase)
                _next_second()  # a phase's fetches are told from the last one's by the second
                started_at = int(time.time())
                if running is None:
                    _set_due(url, started_at - 1)  # every feed due, as if its interval had passed
                    seconds, peak, logs = _run_workers(workers, env, 3600)
                else:
                    seconds, peak, logs = running.phase(started_at, self.n, 3600)
                check = _pg_check(url, started_at)
                _analyze(url)  # untimed: what autovacuum would have done by the next phase
                split = "/".join(str(n) for n in logs)
                cpu = ""
                if running is not None:
                    w, srv = running.cpu
                    cpu = (
                        f"; CPU ms/feed: workers {w / self.n * 1000:.1f}, "
                        f"PostgreSQL {srv / self.n * 1000:.1f}"
                    )
                print(
                    f"    feeds per worker {split}; fetched {check['fetched']}/{self.n}; "
                    f"leases left {check['leased']}; duplicate entries {check['duplicates']}" + cpu,
                    flush=True,
                )
                self._record(
                    "tidings-pg",
                    f"×{workers}" + (" once" if once else ""),
                    phase,
                    self.n,
                    seconds,
                    peak,
                    check["entries"],
                    self._expected(phase),
                    check["failed"],
                    None if running is None else sum(running.cpu),
                )
                bad = check["fetched"] != self.n or check["leased"] or check["duplicates"]
                if bad:
                    print(f"    CHECK FAILED: {check}", flush=True)
        finally:
            if running is not None:
                running.stop()
            drop_test_schema(db, schema)

    def _expected(self, phase: str) -> int:
        return self.farm.feeds.entry_count(1 if phase == "changed" else 0)


def _worker_env(folder: Path, url: str) -> dict[str, str]:
    """The environment of ``tidings worker`` on schema ``url``: the same settings as
    the SQLite row's (``contenders._tidings_settings``), from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env |= {
        "TIDINGS_DB": url,
        "TIDINGS_DATA_DIR": str(folder),
        "TIDINGS_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "TIDINGS_FULL_TEXT_DEFAULT": os.environ.get("TIDINGS_BENCH_FULL_TEXT", "never"),
        "TIDINGS_LOG_LEVEL": "info",  # the pass's one line: how many feeds this worker did
    }
    return env


WORKER = [sys.executable, "-c", "from tidings.cli import main; main()", "worker", "--once"]
REFRESHED = re.compile(r"refreshed (\d+) feeds")


def _run_workers(
    workers: int, env: dict[str, str], timeout: float
) -> tuple[float, float, list[int]]:
    """Start ``workers`` ``tidings worker --once`` at once; (wall seconds until the last
    exits, peak RSS MB of all their trees, feeds each one refreshed)."""
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            WORKER, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    rss = TreeRss([p.pid for p in procs])
    errs = [p.communicate(timeout=timeout)[1] for p in procs]
    seconds = time.perf_counter() - started
    peak = rss.stop()
    for p, err in zip(procs, errs, strict=True):
        if p.returncode != 0:
            raise RuntimeError(f"tidings worker failed ({p.returncode}):\n{err[-3000:]}")
    counts = [sum(int(m) for m in REFRESHED.findall(err)) for err in errs]
    return seconds, peak, counts


class RunningWorkers:
    """W ``tidings worker`` processes running, as deployed: each phase makes every
    feed due and sends the refresh request a web server's "refresh now" sends (a
    NOTIFY on commit), and is timed from that commit until every feed has a result
    of this phase and no lease is left (the schema polled every 20 ms)."""

    def __init__(self, workers: int, env: dict[str, str], folder: Path, url: str) -> None:
        self.url = url
        self.logs = [folder / f"worker-{i}.log" for i in range(workers)]
        self.read = [0] * workers  # of each log, the part earlier phases counted
        self.cpu = (0.0, 0.0)  # the last phase's CPU seconds: workers, database server
        self.procs = [
            subprocess.Popen(WORKER[:-1], env=env, stdout=subprocess.DEVNULL, stderr=path.open("w"))
            for path in self.logs
        ]
        self._wait_listening(workers, 120)

    def _wait_listening(self, workers: int, timeout: float) -> None:
        """Until every worker listens for refresh requests, then its first pass (with
        nothing due) has a moment to end."""
        import psycopg

        deadline = time.monotonic() + timeout
        with psycopg.connect(self.url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN %%'"
                ).fetchone()
                if row and row[0] >= workers:
                    time.sleep(1.0)
                    return
                if any(p.poll() is not None for p in self.procs):
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"tidings worker did not start:\n{self.logs[0].read_text()[-3000:]}")

    def phase(self, since: int, n: int, timeout: float) -> tuple[float, float, list[int]]:
        """(seconds, peak RSS MB of the workers' trees, feeds each one refreshed)."""
        import psycopg

        rss = TreeRss([p.pid for p in self.procs])
        server = ServerCpu(urlsplit(self.url).path.lstrip("/"))
        with psycopg.connect(self.url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute("UPDATE feeds SET next_check_at = %s", (since - 1,))
                conn.execute("NOTIFY tidings_refresh")
                started = time.perf_counter()
            deadline = started + timeout
            while True:
                row = conn.execute(
                    "SELECT COUNT(*) FILTER (WHERE last_fetched_at >= %s AND lease_owner IS NULL)"
                    " FROM feeds",
                    (since,),
                ).fetchone()
                if row and row[0] >= n:
                    break
                if time.perf_counter() > deadline or any(p.poll() is not None for p in self.procs):
                    self.stop()
                    raise RuntimeError(f"workers stopped short: {row}")
                time.sleep(0.02)
            seconds = time.perf_counter() - started
        peak = rss.stop()
        self.cpu = (rss.cpu, server.stop())
        # each worker logs its pass once it has ended (its leases released): untimed
        deadline = time.monotonic() + 10
        while True:
            texts = [path.read_text() for path in self.logs]
            counts = [
                sum(int(m) for m in REFRESHED.findall(text[self.read[i] :]))
                for i, text in enumerate(texts)
            ]
            if sum(counts) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.read = [len(text) for text in texts]
        return seconds, peak, counts

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _next_second() -> None:
    """Sleep into the next whole second (``last_fetched_at`` counts seconds)."""
    time.sleep(1.02 - time.time() % 1)


def _set_due(url: str, at: int) -> None:
    """Every feed of schema ``url`` due at ``at`` (epoch seconds)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE feeds SET next_check_at = %s", (at,))


def _analyze(url: str) -> None:
    """``ANALYZE`` the schema's tables: a server with ``autovacuum = off`` (as the
    one this benchmark was first run on) never gathers their statistics, and the
    story clustering's key lookup then plans a scan of every entry (#13)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def _pg_check(url: str, since: int) -> dict[str, int]:
    """What a phase left in the schema: entries, duplicates, feeds fetched since
    ``since`` and failed, leases left."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        entries, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT (feed_id, guid)) FROM entries"
        ).fetchone() or (0, 0)
        fetched, failed, leased = conn.execute(
            "SELECT COUNT(*) FILTER (WHERE last_fetched_at >= %s), "
            "COUNT(*) FILTER (WHERE last_fetched_at >= %s AND last_error IS NOT NULL), "
            "COUNT(*) FILTER (WHERE lease_owner IS NOT NULL) FROM feeds",
            (since, since),
        ).fetchone() or (0, 0, 0)
    return {
        "entries": int(entries),
        "duplicates": int(entries) - int(distinct),
        "fetched": int(fetched),
        "failed": int(failed),
        "leased": int(leased),
    }


def best(results: list[Result], system: str, phase: str) -> Result | None:
    found = [r for r in results if r.system == system and r.phase == phase]
    return max(found, key=lambda r: r.rate) if found else None


def table(results: list[Result]) -> str:
    """The comparison table (Markdown); a ``tidings-core`` run adds a diagnostic column.

    Each ``tidings-pg ×W`` run adds a row per phase below the SQLite one, its
    figures in the Tidings columns, with its ratio to Tidings on SQLite in the run.
    """
    core = any(r.system == "tidings-core" for r in results)
    pg = sorted({r.setting for r in results if r.system == "tidings-pg"}, key=lambda w: int(w[1:]))
    head = (
        "| N | latency | phase | Tidings feeds/s | reader feeds/s (best) | newsboat feeds/s (best) "
        "| × reader | × newsboat | peak RSS MB T / r / n | entries T / r / n (expected) |"
        + (" × Tidings SQLite |" if pg else "")
        + (" Tidings core† feeds/s (× reader, × newsboat, RSS) |" if core else "")
    )
    lines = [head, "|" + "---|" * (10 + bool(pg) + core)]
    keys = sorted({(r.n, r.latency) for r in results})
    for n, latency in keys:
        rs = [r for r in results if r.n == n and r.latency == latency]
        for phase in ("cold", "warm (2nd)", "warm", "changed"):
            t, rd, nb, c = (
                best(rs, s, phase) for s in ("tidings", "reader", "newsboat", "tidings-core")
            )
            pgs = [(w, _one(rs, "tidings-pg", w, phase)) for w in pg]
            if not (t or rd or nb or c or any(r for _, r in pgs)):
                continue
            rows = [(phase, t)] if t or rd or nb or c else []
            rows += [(f"{phase}, tidings-pg {w}", r) for w, r in pgs if r]
            for label, row in rows:
                line = (
                    f"| {n} | {latency:g} ms | {label} | {_rate(row)} | {_rate(rd, True)} "
                    f"| {_rate(nb, True)} | {_ratio(row, rd)} | {_ratio(row, nb)} "
                    f"| {_rss(row)} / {_rss(rd)} / {_rss(nb)} "
                    f"| {_entries(row)} / {_entries(rd)} / {_entries(nb)} |"
                )
                if pg:
                    line += f" {_ratio(row, t) if row is not t else '1.0×' if t else '—'} |"
                if core:
                    line += f" {_rate(c)} ({_ratio(c, rd)}, {_ratio(c, nb)}, {_rss(c)}) |"
                lines.append(line)
    return "\n".join(lines)


def _one(results: list[Result], system: str, setting: str, phase: str) -> Result | None:
    found = [r for r in results if (r.system, r.setting, r.phase) == (system, setting, phase)]
    return found[0] if found else None


def _rate(r: Result | None, setting: bool = False) -> str:
    if r is None:
        return "—"
    text = f"{r.rate:,.0f} ({r.seconds:.2f} s)"
    return f"{text} [{r.setting}]" if setting else text


def _ratio(a: Result | None, b: Result | None) -> str:
    return f"{a.rate / b.rate:.1f}×" if a and b and b.rate else "—"


def _rss(r: Result | None) -> str:
    return f"{r.peak_rss_mb:.0f}" if r else "—"


def _entries(r: Result | None) -> str:
    if r is None:
        return "—"
    mark = "" if r.entries == r.expected else " ≠"
    return f"{r.entries:,} ({r.expected:,}){mark}"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    p = argparse.ArgumentParser(description="Tidings vs reader vs newsboat: refresh throughput.")
    p.add_argument("--n", default="500,2000", help="comma-separated feed counts")
    p.add_argument("--latency", default="0,50", help="comma-separated server latencies (ms)")
    p.add_argument(
        "--systems",
        default="tidings,tidings-core,tidings-pg,reader,newsboat",
        help="tidings-pg runs only with --db",
    )
    p.add_argument("--db", help="PostgreSQL base URL for the tidings-pg rows (a schema each)")
    p.add_argument("--pg-workers", default="1,2,4", help="tidings worker processes to try")
    p.add_argument(
        "--pg-once",
        action="store_true",
        help="start W `tidings worker --once` per phase (start-up timed) instead of running workers",
    )
    p.add_argument("--reader-workers", default="1,8,20,32", help="reader workers settings to try")
    p.add_argument("--newsboat-threads", default="1,32", help="newsboat reload-threads to try")
    p.add_argument("--hosts", type=int, default=32, help="loopback addresses the feeds span")
    p.add_argument("--quick", action="store_true", help="N=200, 0 ms, one setting per peer")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--table", type=Path, nargs="+", help="print the table of saved --json files")
    p.add_argument(
        "--full-text",
        choices=["never", "auto"],
        default="never",
        help="Tidings' full-text mode (the peers fetch no article pages; the farm serves none)",
    )
    args = p.parse_args()
    os.environ["TIDINGS_BENCH_FULL_TEXT"] = args.full_text
    if args.table:
        saved = [json.loads(f.read_text()) for f in args.table]
        fields = set(Result.__dataclass_fields__)
        print(
            table([Result(**{k: v for k, v in r.items() if k in fields}) for s in saved for r in s])
        )
        return
    if args.quick:
        args.n, args.latency, args.reader_workers, args.newsboat_threads = "200", "0", "20", "32"
    systems = args.systems.split(",")
    if "tidings-pg" in systems and not args.db:
        print("tidings-pg: no --db postgresql://... given, left out", flush=True)
    results: list[Result] = []
    start_load = _load()
    print(f"load average at start {start_load}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as tmp:
        for n in _ints(args.n):
            for latency in _ints(args.latency):
                print(f"N={n} latency={latency} ms (load average {_load()})", flush=True)
                with FarmProcess(n, latency_ms=latency, hosts=args.hosts) as farm:
                    bench = Bench(farm, n, latency, Path(tmp))
                    if "tidings" in systems:
                        bench.tidings()
                    if "tidings-core" in systems:
                        bench.tidings(core=True)
                    pg_workers = _ints(args.pg_workers) if args.db else []
                    for w in pg_workers if "tidings-pg" in systems else []:
                        bench.tidings_pg(args.db, w, once=args.pg_once)
                    for w in _ints(args.reader_workers) if "reader" in systems else []:
                        bench.reader(w)
                    for t in _ints(args.newsboat_threads) if "newsboat" in systems else []:
                        bench.newsboat(t)
                    results += bench.results
    print()
    print(table(results))
    print(f"\nload average (1, 5, 15 min): {start_load} at start, {_load()} at end")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"rate": r.rate} for r in results], indent=1))


if __name__ == "__main__":
    main()
