"""One structured log line per feed refresh, on stderr, from `worker` and `refresh`."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def _two_feeds(tidings: Tidings, feed_server: FeedServer) -> tuple[str, str]:
    feed_server.set("/good.xml", rss(3))
    good, missing = feed_server.url("/good.xml"), feed_server.url("/missing.xml")
    for url in (good, missing):
        tidings.run("add", url, "--no-discover")
    return good, missing


def _refresh_lines(stderr: str) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is JSON
    return {r["url"]: r for r in lines if r["logger"] == "tidings.refresh.batch"}


def test_worker_once_logs_each_feed_as_json(tidings: Tidings, feed_server: FeedServer) -> None:
    good, missing = _two_feeds(tidings, feed_server)
    proc = tidings.run("--log-format", "json", "worker", "--once")
    assert proc.stdout == ""
    by_url = _refresh_lines(proc.stderr)
    assert set(by_url) == {good, missing}
    ok, failed = by_url[good], by_url[missing]
    assert ok["level"] == "info" and ok["outcome"] == "ok"
    assert (ok["new"], ok["changed"]) == (3, 0) and "error" not in ok
    assert failed["level"] == "warning" and failed["outcome"] == "error"
    assert "404" in failed["error"] and failed["new"] == 0
    feeds = {f["url"]: f for f in tidings.json("feeds")}
    assert failed["error"] == feeds[missing]["last_error"]  # the recorded reason
    for r in (ok, failed):
        assert isinstance(r["feed_id"], int) and isinstance(r["duration_ms"], int)
        assert r["ts"].endswith("Z") and r["msg"]

    # the good feed answers 304 once it has an ETag; the format comes from the environment
    feed_server.set("/good.xml", rss(3), etag=True)
    tidings.run("refresh", good)
    proc = Tidings({**tidings.env, "TIDINGS_LOG_FORMAT": "json"}).run("refresh", good)
    assert [r["outcome"] for r in _refresh_lines(proc.stderr).values()] == ["not_modified"]


def test_refresh_logs_text_lines_and_keeps_its_output(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    good, missing = _two_feeds(tidings, feed_server)
    proc = tidings.run("refresh")
    assert proc.stdout == "1 ok, 0 not modified, 1 failed; 3 new entries\n"
    lines = [line for line in proc.stderr.splitlines() if "logger=tidings.refresh.batch" in line]
    assert len(lines) == 2
    (ok,) = [line for line in lines if f"url={good}" in line]
    (failed,) = [line for line in lines if f"url={missing}" in line]
    assert re.match(r"ts=\S+Z level=info ", ok)
    assert " outcome=ok new=3 changed=0 duration_ms=" in ok
    assert re.match(r"ts=\S+Z level=warning ", failed)
    assert " outcome=error new=0 " in failed and re.search(r' error="[^"]*404', failed)


def test_log_level_quiets_the_lines(tidings: Tidings, feed_server: FeedServer) -> None:
    _two_feeds(tidings, feed_server)
    proc = tidings.run("--log-level", "warning", "--log-format", "json", "worker", "--once")
    assert [r["outcome"] for r in _refresh_lines(proc.stderr).values()] == ["error"]
    quiet = tidings.run("refresh", "--all", "--quiet")
    assert quiet.stderr == "" and "1 failed" in quiet.stdout
    bad = tidings.run("--log-format", "xml", "worker", "--once", check=False)
    assert bad.returncode == 2 and "xml" in bad.stderr
