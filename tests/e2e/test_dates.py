"""One rule for an entry's date (#11): published, else updated, else first seen,
flagged as such, the same in sorting, the CLI, --json and the web reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import Tidings
from feedserver import FeedServer

from tidings.model import entry_date

ATOM_UPDATED_ONLY = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Slashdot-like</title><id>urn:s</id>
<updated>2024-03-05T10:00:00Z</updated>
<entry><title>An old story</title><id>urn:s:1</id><link href="https://s.example/1"/>
<updated>2024-03-05T10:00:00Z</updated><summary>Old.</summary></entry>
</feed>"""

RDF_DC_DATE = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://r.example/"><title>RDF-like</title><link>https://r.example/</link>
<description>d</description></channel>
<item rdf:about="https://r.example/1"><title>A preprint</title><link>https://r.example/1</link>
<dc:date>2025-06-01T08:30:00Z</dc:date></item>
</rdf:RDF>"""

RSS_NO_DATE = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Undated</title>
<link>https://u.example/</link><description>d</description>
<item><title>No date at all</title><link>https://u.example/1</link><guid>u1</guid></item>
<item><title>From the future</title><link>https://u.example/2</link><guid>u2</guid>
<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_the_rule() -> None:
    seen = datetime(2026, 1, 1, tzinfo=UTC)
    published, updated = seen - timedelta(days=2), seen - timedelta(days=1)
    assert entry_date(published, updated, seen) == (published, "published")
    assert entry_date(None, updated, seen) == (updated, "updated")
    assert entry_date(None, None, seen) == (seen, "first_seen")
    # a date after the entry was first seen is not believed
    assert entry_date(seen + timedelta(days=9), None, seen) == (seen, "first_seen")


def test_cli_dates_follow_the_rule(tidings: Tidings, feed_server: FeedServer) -> None:
    for path, body in (
        ("/a.xml", ATOM_UPDATED_ONLY),
        ("/r.rdf", RDF_DC_DATE),
        ("/u.xml", RSS_NO_DATE),
    ):
        feed_server.set(path, body)
        tidings.run("add", feed_server.url(path))
    tidings.run("refresh")

    entries = tidings.json("entries")
    by_title = {e["title"]: e for e in entries}
    assert by_title["An old story"]["date"] == "2024-03-05T10:00:00Z"
    assert by_title["An old story"]["date_source"] == "updated"
    assert by_title["A preprint"]["date"] == "2025-06-01T08:30:00Z"
    assert by_title["A preprint"]["date_source"] == "updated"
    undated = by_title["No date at all"]
    assert undated["date_source"] == "first_seen" and undated["date"] == undated["first_seen"]
    assert by_title["From the future"]["date_source"] == "first_seen"
    # newest first by that date: the undated ones (seen now), then 2025, then 2024
    assert [e["title"] for e in entries][-2:] == ["A preprint", "An old story"]

    listing = tidings.run("entries").stdout
    line = next(x for x in listing.splitlines() if "An old story" in x)
    assert "2024-03-05 10:00" in line
    line = next(x for x in listing.splitlines() if "A preprint" in x)
    assert "2025-06-01 08:30" in line

    shown = tidings.run("show", str(by_title["An old story"]["id"])).stdout
    assert "Tuesday 05 March 2024, 10:00 UTC" in shown

    found = tidings.json("search", "preprint")
    assert found[0]["date"] == "2025-06-01T08:30:00Z"


def test_the_cli_shows_times_in_tz(tidings: Tidings, feed_server: FeedServer) -> None:
    """#15: `TZ=Asia/Tokyo tidings ...` shows Tokyo times; --json stays UTC."""
    feed_server.set("/a.xml", ATOM_UPDATED_ONLY)  # 2024-03-05 10:00 UTC = 19:00 in Tokyo
    tidings.run("add", feed_server.url("/a.xml"))
    tidings.run("refresh")
    tokyo = Tidings({**tidings.env, "TZ": "Asia/Tokyo"})
    line = next(x for x in tokyo.run("entries").stdout.splitlines() if "An old story" in x)
    assert "2024-03-05 19:00" in line
    story = tokyo.json("entries")[0]
    assert story["date"] == "2024-03-05T10:00:00Z"
    assert "Tuesday 05 March 2024, 19:00 JST" in tokyo.run("show", str(story["id"])).stdout
    fetched = tokyo.json("feeds")[0]["last_fetched"]
    local = datetime.fromisoformat(fetched).astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.strftime("%H:%M") in tokyo.run("feeds").stdout  # the table may wrap the date
    # a POSIX rule works too; a zone nobody knows is read as the C library (and `date`)
    # reads it: UTC, under the name given
    posix = Tidings({**tidings.env, "TZ": "EST+5"})
    assert "Tuesday 05 March 2024, 05:00 EST" in posix.run("show", str(story["id"])).stdout
    nowhere = Tidings({**tidings.env, "TZ": "Mars/Olympus_Mons"})
    assert "Tuesday 05 March 2024, 10:00 " in nowhere.run("show", str(story["id"])).stdout
