"""A dead pool worker fails only the feed it held; workers end with their owner (#11 item 13)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from feeds import rss

from tidings.core.schedule import Limits
from tidings.model import (
    NO_CACHING,
    Caching,
    EntryUpdate,
    FeedId,
    FeedState,
    FeedUpdate,
    Fetched,
    FetchError,
    FetchResult,
)
from tidings.refresh.batch import refresh_feeds
from tidings.refresh.pipeline import Deps
from tidings.refresh.pool import Processors
from tidings.refresh.process import Processed, StoryStep, process_document

NOW = datetime(2026, 11, 20, tzinfo=UTC)
FEEDS = [f"https://f{i}.example/feed.xml" for i in range(16)]
DOOMED = FEEDS[5]


def dying_process(
    body: bytes,
    url: str,
    content_type: str | None,
    known: Mapping[str, str],
    max_entries: int,
    now: datetime,
    story: StoryStep | None = None,
) -> Processed:
    """``process_document``, except that parsing ``DOOMED`` kills the worker (a test hook
    handed to ``Processors``: no document can trigger it)."""
    if url == DOOMED:
        os._exit(70)
    return process_document(body, url, content_type, known, max_entries, now, story)


def killed_once(
    body: bytes,
    url: str,
    content_type: str | None,
    known: Mapping[str, str],
    max_entries: int,
    now: datetime,
    story: StoryStep | None = None,
) -> Processed:
    """``process_document``; the worker parsing ``DOOMED`` is SIGKILLed the first time
    (as the OOM killer would), ``marker`` in the feed's fragment saying it was."""
    marker = Path(url.partition("#")[2])
    if url.startswith(DOOMED) and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return process_document(body, url, content_type, known, max_entries, now, story)


class Fetcher:
    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        return Fetched(
            url,
            rss(3, base=url.partition("#")[0].removesuffix("feed.xml")),
            "application/rss+xml",
            NO_CACHING,
        )

    async def get_page(self, url: str) -> Fetched | FetchError:
        return FetchError("no pages here")

    async def aclose(self) -> None:
        pass


def _batch(
    processors: Processors, urls: Sequence[str] = FEEDS
) -> tuple[dict[str, tuple[str, str | None]], dict[FeedId, FeedUpdate]]:
    written: dict[FeedId, FeedUpdate] = {}

    async def record(update: FeedUpdate, entries: Sequence[EntryUpdate] = ()) -> None:
        written[update.feed_id] = update

    async def hashes(feed: FeedId) -> Mapping[str, str]:
        return {}

    deps = Deps(
        fetcher=Fetcher(),
        process=processors.pooled,
        hashes=hashes,
        limits=Limits(),
        record=record,
        clock=lambda: NOW,
    )
    states = [FeedState(id=FeedId(i), url=url) for i, url in enumerate(urls)]
    summary = asyncio.run(refresh_feeds(deps, states))
    return {r.feed_url: (r.status, r.error) for r in summary.results}, written


def test_a_worker_that_dies_fails_only_the_feed_it_held() -> None:
    processors = Processors(2, process=dying_process)
    try:
        results, written = _batch(processors)
        status, error = results.pop(DOOMED)
        assert status == "error" and error is not None and "worker died" in error
        assert results == {url: ("ok", None) for url in FEEDS if url != DOOMED}
        assert len(written) == len(FEEDS)  # the doomed feed's failure is recorded too
        assert written[FeedId(5)].error == error
        # the pool was rebuilt: the next batch runs on it
        results, _ = _batch(processors)
        assert sum(status == "ok" for status, _ in results.values()) == len(FEEDS) - 1
    finally:
        processors.shutdown()


def test_a_worker_killed_from_outside_costs_no_feed(tmp_path: Path) -> None:
    processors = Processors(2, process=killed_once)
    urls = [f"{url}#{tmp_path / 'killed'}" for url in FEEDS]
    try:
        results, written = _batch(processors, urls)
        assert (tmp_path / "killed").exists()  # a worker was killed mid-batch
        assert results == {url: ("ok", None) for url in urls}
        assert len(written) == len(FEEDS)
    finally:
        processors.shutdown()


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie waiting for its parent has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


OWNER = """
import asyncio, os, signal, sys
from tidings.refresh.pool import Processors
processors = Processors(2)
pid = asyncio.run(processors.call(os.getpid))
print(pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_their_owner_is_a_zombie() -> None:
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdout=subprocess.PIPE, env=env, text=True
    )
    assert owner.stdout is not None
    worker = int(owner.stdout.readline())
    try:
        # not reaped: the owner stays a zombie, and kill(owner, 0) still succeeds
        while not _gone(owner.pid):
            time.sleep(0.05)
        os.kill(owner.pid, 0)
        deadline = time.monotonic() + 30
        while not _gone(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(worker)
    finally:
        owner.wait()
        owner.stdout.close()
        if not _gone(worker):
            os.kill(worker, signal.SIGKILL)
