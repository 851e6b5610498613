"""`tidings feed-options URL --interval`, end to end through the real console script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def test_feed_options_sets_shows_and_clears_the_interval(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/f.xml", rss(2))
    url = feed_server.url("/f.xml")
    tidings.run("add", url, "--no-discover")
    assert "interval: auto (posting rate)" in tidings.run("feed-options", url).stdout
    assert "interval: 30m" in tidings.run("feed-options", url, "--interval", "30m").stdout
    assert "interval: 2h" in tidings.run("feed-options", url, "--interval", "2h").stdout
    out = tidings.run("feed-options", url, "--interval", "auto", "--full-text", "never").stdout
    assert "interval: auto" in out and "full text: never" in out


def test_feed_options_refuses_a_bad_interval(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/f.xml", rss(2))
    url = feed_server.url("/f.xml")
    tidings.run("add", url, "--no-discover")
    proc = tidings.run("feed-options", url, "--interval", "soon", check=False)
    assert proc.returncode == 2
    assert "not an interval" in proc.stderr
    proc = tidings.run("feed-options", "http://127.0.0.1:9/unknown.xml", "--interval", "1h", check=False)
    assert proc.returncode == 1 and "not subscribed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_ten_minute_interval_brings_the_next_check_forward(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/f.xml", rss(2))
    url = feed_server.url("/f.xml")
    tidings.run("add", url, "--no-discover")
    tidings.run("refresh")
    assert _next_check(tidings) > datetime.now(UTC) + timedelta(minutes=10)
    tidings.run("feed-options", url, "--interval", "10m", "--category", "Later")
    assert _next_check(tidings) <= datetime.now(UTC) + timedelta(minutes=10)
    (feed,) = tidings.json("feeds")
    assert feed["category"] == "Later"
    out = tidings.run("feed-options", url, "--category", "").stdout
    assert "category: (none)" in out and "interval: 10m" in out


def _next_check(tidings: Tidings) -> datetime:
    (feed,) = tidings.json("feeds")
    return datetime.fromisoformat(feed["next_check"])
