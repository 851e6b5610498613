"""`tidings show` lists a story's attachments (#15): type, size, duration, URL, as
terminal-safe text; `--json` gives each one's duration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Tidings
from feedserver import FeedServer
from rawdb import raw_db

CORPUS = Path("/work/shared/corpus/feeds-real")
PODCAST = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Harbour Radio</title><link>https://radio.example/</link>
<item><title>Episode 7: the tides</title><guid>ep7</guid>
<description>Where the water goes.</description>
<enclosure url="https://radio.example/ep7.mp3" type="audio/mpeg" length="54919661"/>
<itunes:duration>1:54:09</itunes:duration></item>
</channel></rss>"""


def _first_id(tidings: Tidings) -> int:
    return int(tidings.json("entries")[0]["id"])


def test_show_lists_attachments_with_size_and_duration(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/radio.xml", PODCAST)
    tidings.run("add", feed_server.url("/radio.xml"))
    tidings.run("refresh")
    entry_id = _first_id(tidings)
    out = tidings.run("show", str(entry_id)).stdout
    assert "Attachments:\n  audio/mpeg · 54.9 MB · 1:54:09  https://radio.example/ep7.mp3\n" in out
    assert tidings.json("show", str(entry_id))["enclosures"] == [
        {
            "url": "https://radio.example/ep7.mp3",
            "type": "audio/mpeg",
            "length": 54919661,
            "duration": 6849,
        }
    ]


def test_attachments_reach_the_terminal_as_text(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/radio.xml", PODCAST)
    tidings.run("add", feed_server.url("/radio.xml"))
    tidings.run("refresh")
    entry_id = _first_id(tidings)
    poisoned = [{"url": "https://x.example/\x1b]0;owned\x07", "type": "audio/\x1b[31mred"}]
    with raw_db(tidings.env["TIDINGS_DB"]) as db:  # what another tool may have left there
        db.execute("UPDATE entries SET enclosures = ?", (json.dumps(poisoned),))
    out = tidings.run("show", str(entry_id)).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "audio/\\x1b[31mred  https://x.example/\\x1b]0;owned\\x07" in out


def test_a_story_without_attachments_says_nothing_of_them(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/plain.xml", PODCAST.split(b"<enclosure")[0] + b"</item></channel></rss>")
    tidings.run("add", feed_server.url("/plain.xml"))
    tidings.run("refresh")
    assert "Attachments" not in tidings.run("show", str(_first_id(tidings))).stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_a_real_podcast_feed(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/atp.xml", (CORPUS / "podcast__RSParser__atp_rss.xml").read_bytes())
    tidings.run("add", feed_server.url("/atp.xml"))
    tidings.run("refresh")
    entries = tidings.json("entries")
    newest = max(entries, key=lambda e: e["date"])
    out = tidings.run("show", str(newest["id"])).stdout
    assert "audio/mpeg · 54.9 MB · 1:54:09  http://traffic.libsyn.com/atpfm/atp311.mp3" in out
