"""A feed cut mid-item keeps what it read, records the cut, and leaves no junk (#11)."""

from __future__ import annotations

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def test_a_truncated_feed_records_its_status_and_stores_no_junk_entry(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    full = rss(3)
    cut = full[: full.rindex(b"<item>") + len(b"<item>\n  <title>Story number 0")]
    feed_server.set("/feed.xml", cut)
    url = feed_server.url("/feed.xml")
    tidings.run("add", url)
    tidings.run("refresh", check=False)

    entries = tidings.json("entries")
    assert sorted(e["guid"] for e in entries) == ["story-1", "story-2"]
    (feed,) = tidings.json("feeds")
    assert feed["last_error"] == "document truncated: 2 entries read"

    feed_server.set("/feed.xml", full)
    tidings.run("refresh", "--all")
    entries = tidings.json("entries")
    assert sorted(e["guid"] for e in entries) == ["story-0", "story-1", "story-2"]
    assert all(e["link"] and not e["guid"].startswith("sha256:") for e in entries)
    (feed,) = tidings.json("feeds")
    assert feed["last_error"] is None
