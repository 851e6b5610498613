"""The systems the refresh benchmark compares, each run in a child process.

    python benchmarks/contenders.py tidings-setup DIR URLS_FILE [DB_URL]
    python benchmarks/contenders.py tidings-refresh DIR [--core]
    python benchmarks/contenders.py reader-setup DIR URLS_FILE
    python benchmarks/contenders.py reader-refresh DIR WORKERS

A refresh prints one JSON line: ``seconds`` (the refresh call alone, timed in
the child, after imports and opening the database), ``entries`` (entries
stored afterwards) and ``ok``/``failed`` feed counts. newsboat is a C++
program; ``newsboat_refresh`` runs it whole and times the process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

NEWSBOAT_CONFIG = """\
reload-threads {threads}
max-items 0
download-retries 1
download-timeout 30
show-read-feeds yes
"""


def _emit(**values: object) -> None:
    print(json.dumps(values), flush=True)


def _tidings_settings(folder: Path, db: str | None = None) -> object:
    from tidings.settings import load_settings

    return load_settings(
        {
            "db": db or f"sqlite:///{folder / 'tidings.db'}",
            "data_dir": str(folder),
            "allow_private_networks": "127.0.0.0/8",
            # the peers fetch no article pages; refresh.py --full-text auto measures that too
            "full_text_default": os.environ.get("TIDINGS_BENCH_FULL_TEXT", "never"),
        },
        environ={},
    )


def tidings_setup(folder: Path, urls: list[str], db: str | None = None) -> None:
    """Subscribe to ``urls`` (an OPML import). With ``db`` (the PostgreSQL rows, run
    by ``tidings worker --once``), each feed's icon is also recorded as tried just
    now: a worker fetches due icons after its pass (from ``siteN.example``, which
    the farm does not serve), which no peer and no SQLite row does."""
    from datetime import UTC, datetime

    from tidings.aggregator import make_app
    from tidings.settings import Settings

    settings = _tidings_settings(folder, db)
    assert isinstance(settings, Settings)
    with make_app(settings) as agg:
        agg.import_opml(agg.user_id(), _opml(urls))
        if db:
            now = datetime.now(UTC)
            for state in agg.store.get_all_feeds():
                agg.store.set_icon(state.id, now=now, error="benchmark: not fetched")
    _emit(feeds=len(urls))


def _opml(urls: list[str]) -> bytes:
    from xml.sax.saxutils import quoteattr

    outlines = "".join(f'<outline type="rss" text="f" xmlUrl={quoteattr(u)}/>' for u in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()


def tidings_refresh(folder: Path, core: bool = False) -> None:
    """``agg.refresh(all_feeds=True)``; ``core``: without the story step (diagnostic)."""
    from tidings.aggregator import make_app
    from tidings.settings import Settings

    settings = _tidings_settings(folder)
    assert isinstance(settings, Settings)
    with make_app(settings) as agg:
        started = time.perf_counter()
        if core:
            summary = asyncio.run(_core_refresh(agg))
        else:
            summary = asyncio.run(agg.refresh(all_feeds=True))
        seconds = time.perf_counter() - started
    conn = sqlite3.connect(folder / "tidings.db")
    entries = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    conn.close()
    errors = sorted({r.error or "" for r in summary.results if r.status == "error"})[:3]
    _emit(
        seconds=seconds,
        entries=entries,
        ok=summary.ok + summary.not_modified,
        failed=summary.failed,
        errors=errors,
    )


async def _core_refresh(agg: Any) -> Any:
    """Aggregator.refresh's pipeline with the issue-5 enrich step left out: parse,
    sanitize, dedupe and store (search index included). A diagnostic, not a product path:
    it reaches into the Aggregator's private parts. With no story step the writer
    makes each entry's search text."""
    from tidings.refresh.batch import refresh_feeds
    from tidings.refresh.pipeline import Deps

    states = agg.store.get_all_feeds()
    fetcher = agg.new_fetcher()
    deps = Deps(
        fetcher=fetcher,
        process=agg._processors.pooled,
        hashes=lambda feed_id: agg._read(agg.store.get_entry_hashes, feed_id),
        record=agg._writer.apply,
        limits=agg.limits,
        max_entries=agg.settings.max_entries_per_fetch,
    )
    try:
        return await refresh_feeds(deps, states)
    finally:
        await fetcher.aclose()


def reader_setup(folder: Path, urls: list[str]) -> None:
    from reader import make_reader

    reader = make_reader(str(folder / "reader.sqlite"))
    for url in urls:
        reader.add_feed(url)
    reader.close()
    _emit(feeds=len(urls))


def reader_refresh(folder: Path, workers: int) -> None:
    from reader import make_reader

    reader = make_reader(str(folder / "reader.sqlite"))
    started = time.perf_counter()
    reader.update_feeds(scheduled=False, workers=workers)
    seconds = time.perf_counter() - started
    entries = reader.get_entry_counts().total
    feeds = list(reader.get_feeds())
    failed = [f for f in feeds if f.last_exception is not None]
    errors = sorted({str(f.last_exception.value_str)[:100] for f in failed if f.last_exception})
    reader.close()
    _emit(
        seconds=seconds,
        entries=entries,
        ok=len(feeds) - len(failed),
        failed=len(failed),
        errors=errors[:3],
    )


def newsboat_command(
    folder: Path, urls: list[str], threads: int
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one ``newsboat -x reload`` in ``folder``."""
    (folder / "urls").write_text("\n".join(urls) + "\n")
    (folder / "config").write_text(NEWSBOAT_CONFIG.format(threads=threads))
    (folder / "home").mkdir(exist_ok=True)
    cmd = [
        "newsboat",
        "-x",
        "reload",
        "-u",
        str(folder / "urls"),
        "-c",
        str(folder / "cache.db"),
        "-C",
        str(folder / "config"),
    ]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder / "home"),
        "LANG": "C.UTF-8",
    }
    return cmd, env


def newsboat_entries(folder: Path) -> tuple[int, int]:
    """(entries stored, feeds with a stored non-empty ETag) in newsboat's cache."""
    conn = sqlite3.connect(folder / "cache.db")
    try:
        entries = conn.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]
        etags = conn.execute("SELECT COUNT(*) FROM rss_feed WHERE etag != ''").fetchone()[0]
        return int(entries), int(etags)
    finally:
        conn.close()


def run_newsboat(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def main(argv: list[str]) -> None:
    command, folder = argv[0], Path(argv[1])
    if command == "tidings-setup":
        tidings_setup(folder, Path(argv[2]).read_text().split(), *argv[3:4])
    elif command == "tidings-refresh":
        tidings_refresh(folder, core=argv[2:] == ["--core"])
    elif command == "reader-setup":
        reader_setup(folder, Path(argv[2]).read_text().split())
    elif command == "reader-refresh":
        reader_refresh(folder, int(argv[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
