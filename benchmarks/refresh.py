"""Refresh benchmark: Tidings vs reader vs newsboat on N generated news feeds.

    .venv/bin/python benchmarks/refresh.py [--n 500,2000] [--latency 0,50] [--quick]

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
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    """Samples the summed VmRSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak_kb = pid, interval, 0
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
            total = sum(self._rss_kb(p) for p in self._tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


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
            f"server cpu {r.served.get('cpu_s')} s",
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
                "newsboat", f"threads={threads}", phase, len(xml), seconds, peak, entries, expected
            )

    def _expected(self, phase: str) -> int:
        return self.farm.feeds.entry_count(1 if phase == "changed" else 0)


def best(results: list[Result], system: str, phase: str) -> Result | None:
    found = [r for r in results if r.system == system and r.phase == phase]
    return max(found, key=lambda r: r.rate) if found else None


def table(results: list[Result]) -> str:
    """The comparison table (Markdown); a ``tidings-core`` run adds a diagnostic column."""
    core = any(r.system == "tidings-core" for r in results)
    head = (
        "| N | latency | phase | Tidings feeds/s | reader feeds/s (best) | newsboat feeds/s (best) "
        "| × reader | × newsboat | peak RSS MB T / r / n | entries T / r / n (expected) |"
        + (" Tidings core† feeds/s (× reader, × newsboat, RSS) |" if core else "")
    )
    lines = [head, "|" + "---|" * (11 if core else 10)]
    keys = sorted({(r.n, r.latency) for r in results})
    for n, latency in keys:
        rs = [r for r in results if r.n == n and r.latency == latency]
        for phase in ("cold", "warm (2nd)", "warm", "changed"):
            t, rd, nb, c = (
                best(rs, s, phase) for s in ("tidings", "reader", "newsboat", "tidings-core")
            )
            if not (t or rd or nb or c):
                continue
            line = (
                f"| {n} | {latency:g} ms | {phase} | {_rate(t)} | {_rate(rd, True)} | {_rate(nb, True)} "
                f"| {_ratio(t, rd)} | {_ratio(t, nb)} | {_rss(t)} / {_rss(rd)} / {_rss(nb)} "
                f"| {_entries(t)} / {_entries(rd)} / {_entries(nb)} |"
            )
            if core:
                line += f" {_rate(c)} ({_ratio(c, rd)}, {_ratio(c, nb)}, {_rss(c)}) |"
            lines.append(line)
    return "\n".join(lines)


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


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    p = argparse.ArgumentParser(description="Tidings vs reader vs newsboat: refresh throughput.")
    p.add_argument("--n", default="500,2000", help="comma-separated feed counts")
    p.add_argument("--latency", default="0,50", help="comma-separated server latencies (ms)")
    p.add_argument("--systems", default="tidings,tidings-core,reader,newsboat")
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
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as tmp:
        for n in _ints(args.n):
            for latency in _ints(args.latency):
                load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                print(f"N={n} latency={latency} ms (load average {load})", flush=True)
                with FarmProcess(n, latency_ms=latency, hosts=args.hosts) as farm:
                    bench = Bench(farm, n, latency, Path(tmp))
                    if "tidings" in systems:
                        bench.tidings()
                    if "tidings-core" in systems:
                        bench.tidings(core=True)
                    for w in _ints(args.reader_workers) if "reader" in systems else []:
                        bench.reader(w)
                    for t in _ints(args.newsboat_threads) if "newsboat" in systems else []:
                        bench.newsboat(t)
                    results += bench.results
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"rate": r.rate} for r in results], indent=1))


if __name__ == "__main__":
    main()
