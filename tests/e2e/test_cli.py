"""End to end through the real `tidings` command and real HTTP on loopback."""

from __future__ import annotations

from pathlib import Path

from conftest import Tidings
from feeds import atom, rss
from feedserver import FeedServer


def test_add_refresh_entries_show_and_no_duplicates(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/news.xml", rss(5), etag=True, last_modified=True)
    url = feed_server.url("/news.xml")

    assert "added" in tidings.run("add", url, "--category", "World").stdout
    out = tidings.run("refresh").stdout
    assert "1 ok, 0 not modified, 0 failed; 5 new entries" in out

    entries = tidings.json("entries")
    assert len(entries) == 5
    first = entries[0]
    for key in ("id", "feed_url", "feed_title", "title", "link", "author", "published",
                "updated", "summary", "content", "categories", "enclosures", "read", "starred"):
        assert key in first
    assert first["title"] == "Story number 4 & more"
    assert first["feed_url"] == url
    assert first["feed_title"] == "Fixture News"
    assert first["link"] == "https://news.example/story/4"
    assert first["published"].endswith("Z")
    assert "<script" not in (first["summary"] or "")
    assert f'href="{feed_server.url("/rel/4")}"' in first["summary"]
    assert first["read"] is False and first["starred"] is False

    shown = tidings.run("show", str(first["id"])).stdout
    assert "Story number 4 & more" in shown
    assert "Fixture News — World" in shown
    assert "Lead paragraph of story 4." in shown
    assert "Source link: https://news.example/story/4" in shown

    # The second refresh sends validators, gets a 304 and stores nothing new.
    out = tidings.run("refresh", "--all").stdout
    assert "0 ok, 1 not modified, 0 failed; 0 new entries" in out
    last = feed_server.requests[-1]
    assert "If-None-Match" in last.headers
    assert len(tidings.json("entries")) == 5

    # A changed feed adds only the new entries.
    feed_server.set("/news.xml", rss(7), etag=True, last_modified=True)
    out = tidings.run("refresh", "--all").stdout
    assert "1 ok, 0 not modified, 0 failed; 2 new entries" in out
    assert len(tidings.json("entries")) == 7


def test_mark_read_and_star(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/a.xml", atom(3))
    tidings.run("add", feed_server.url("/a.xml"))
    tidings.run("refresh")
    entry = tidings.json("entries")[0]
    tidings.run("mark", str(entry["id"]), "--read", "--star")
    assert tidings.json("entries", "--unread") and len(tidings.json("entries", "--unread")) == 2
    starred = tidings.json("entries", "--starred")
    assert [e["id"] for e in starred] == [entry["id"]]
    tidings.run("mark", str(entry["id"]), "--unread")
    assert len(tidings.json("entries", "--unread")) == 3


def test_mark_all_read_by_feed_category_and_age(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/a.xml", atom(3))
    feed_server.set("/b.xml", rss(2))
    tidings.run("add", feed_server.url("/a.xml"), "--category", "News")
    tidings.run("add", feed_server.url("/b.xml"))
    tidings.run("refresh")
    assert len(tidings.json("entries", "--unread")) == 5
    out = tidings.run("mark", "--all", "--read", "--feed", feed_server.url("/b.xml"))
    assert "marked 2 entries read" in out.stdout
    out = tidings.run("mark", "--all", "--read", "--category", "Other")
    assert "marked 0 entries read" in out.stdout
    # the feed's entries are dated 2026-11-10..12: more than a week old
    out = tidings.run("mark", "--all", "--read", "--category", "News", "--older-than", "week")
    assert "marked 3 entries read" in out.stdout
    assert tidings.json("entries", "--unread") == []
    for bad in (["--all", "--star"], ["--all", "--read", "1"], ["--feed", "x", "--read", "1"]):
        done = tidings.run("mark", *bad, check=False)
        assert done.returncode == 2 and "Error" in done.stderr


def test_failed_feed_is_recorded_and_keeps_entries(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/f.xml", rss(3), etag=False, last_modified=False)
    url = feed_server.url("/f.xml")
    tidings.run("add", url)
    tidings.run("refresh")
    feed_server.set("/f.xml", b"<html><body>oops</body></html>", content_type="text/html",
                    etag=False, last_modified=False)
    out = tidings.run("refresh", "--all")
    assert "1 failed" in out.stdout
    feeds = tidings.json("feeds")
    assert feeds[0]["error_count"] == 1 and feeds[0]["last_error"]
    assert len(tidings.json("entries")) == 3

    feed_server.set("/f.xml", b"", status=500)
    tidings.run("refresh", "--all")
    feeds = tidings.json("feeds")
    assert feeds[0]["error_count"] == 2
    assert len(tidings.json("entries")) == 3


def test_add_site_url_discovers_feed(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/feed.atom", atom(2))
    page = (
        b'<html><head><link rel="alternate" type="application/atom+xml" href="/feed.atom">'
        b"</head><body>A site</body></html>"
    )
    feed_server.set("/", page, content_type="text/html")
    out = tidings.run("add", feed_server.url("/")).stdout
    assert feed_server.url("/feed.atom") in out
    tidings.run("refresh")
    assert len(tidings.json("entries")) == 2


def test_a_site_naming_several_feeds_lists_them_and_pick_chooses(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/posts.atom", atom(2))
    feed_server.set("/comments.rss", rss(3))
    page = (
        b'<html><head><link rel="alternate" type="application/atom+xml" href="/posts.atom">'
        b'<link rel="alternate" type="application/rss+xml" href="/comments.rss">'
        b"</head><body>A site</body></html>"
    )
    feed_server.set("/", page, content_type="text/html")
    out = tidings.run("add", feed_server.url("/")).stdout
    assert "names 2 feeds" in out and "--pick" in out
    assert f"1) {feed_server.url('/posts.atom')}  <- added" in out
    assert f"2) {feed_server.url('/comments.rss')}" in out
    out = tidings.run("add", feed_server.url("/"), "--pick", "2").stdout
    assert f"2) {feed_server.url('/comments.rss')}  <- added" in out
    assert {f["url"] for f in tidings.json("feeds")} == {
        feed_server.url("/posts.atom"),
        feed_server.url("/comments.rss"),
    }
    wrong = tidings.run("add", feed_server.url("/"), "--pick", "3", check=False)
    assert wrong.returncode == 1 and "pick 1 to 2" in wrong.stderr


def test_remove_and_feeds_json(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/r.xml", rss(1))
    url = feed_server.url("/r.xml")
    tidings.run("add", url, "--no-discover")
    feeds = tidings.json("feeds")
    assert [f["url"] for f in feeds] == [url]
    assert feeds[0]["next_check"] is not None and feeds[0]["last_fetched"] is None
    tidings.run("remove", url)
    assert tidings.json("feeds") == []
    assert tidings.run("remove", url, check=False).returncode != 0


def test_feed_options_title_names_the_feed_for_the_user(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    """``--title``: the user's name for the feed, by the web's rule (control characters
    out, one line, capped), shown by ``feed-options`` and ``feeds``; '' clears it (#15)."""
    feed_server.set("/r.xml", rss(1))
    url = feed_server.url("/r.xml")
    tidings.run("add", url, "--no-discover")
    out = tidings.run("feed-options", url, "--title", "My\x07 wire\n  feed").stdout
    assert "title: My wire feed" in out
    assert [f["custom_title"] for f in tidings.json("feeds")] == ["My wire feed"]
    assert "wire" in tidings.run("feeds").stdout  # the table says it (wrapped to the terminal)
    out = tidings.run("feed-options", url, "--title", "").stdout
    assert "title: (the feed's own)" in out
    assert [f["custom_title"] for f in tidings.json("feeds")] == [None]


def test_opml_round_trip(tidings: Tidings, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
<outline text="Tech"><outline text="A" type="rss" xmlUrl="https://a.example/feed"/>
<outline text="B" type="rss" xmlUrl="https://b.example/rss"/></outline>
<outline text="C" type="rss" xmlUrl="https://c.example/atom"/>
<outline text="bad" type="rss" xmlUrl="javascript:alert(1)"/>
</body></opml>"""
    )
    out = tidings.run("import-opml", str(opml))
    assert "imported 3 feeds" in out.stdout
    feeds = {f["url"]: f["category"] for f in tidings.json("feeds")}
    assert feeds == {
        "https://a.example/feed": "Tech",
        "https://b.example/rss": "Tech",
        "https://c.example/atom": None,
    }
    exported = tidings.run("export-opml").stdout
    assert 'xmlUrl="https://a.example/feed"' in exported
    assert "javascript" not in exported
    # importing again is idempotent, and says so
    again = tidings.run("import-opml", str(opml))
    assert len(tidings.json("feeds")) == 3
    assert "imported 0 feeds" in again.stdout


def test_parse_command_stores_nothing(tidings: Tidings, tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(rss(2))
    parsed = tidings.json("parse", str(path))
    assert parsed["version"] == "rss20"
    assert [e["title"] for e in parsed["entries"]] == ["Story number 1 & more", "Story number 0 & more"]
    assert "Fixture News" in tidings.run("parse", str(path)).stdout
    assert tidings.json("feeds") == []


def test_every_command_has_help(tidings: Tidings) -> None:
    for cmd in ("add", "remove", "feeds", "refresh", "entries", "search", "show", "mark", "import-opml",
                "export-opml", "parse", "serve", "worker"):
        out = tidings.run(cmd, "--help").stdout
        assert "Usage:" in out


def test_bad_input_gives_clean_errors(tidings: Tidings) -> None:
    proc = tidings.run("add", "file:///etc/passwd", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = tidings.run("show", "12345", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    proc = tidings.run("parse", "/nonexistent/file.xml", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_gzip_and_last_modified_only(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/gz.xml", rss(4), gzip=True, etag=False, last_modified=True)
    url = feed_server.url("/gz.xml")
    tidings.run("add", url, "--no-discover")
    assert "4 new entries" in tidings.run("refresh").stdout
    assert "gzip" in feed_server.requests[-1].headers.get("Accept-Encoding", "")
    out = tidings.run("refresh", "--all").stdout
    assert "1 not modified" in out
    assert "If-Modified-Since" in feed_server.requests[-1].headers
    assert len(tidings.json("entries")) == 4


def test_gone_feed_is_disabled(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/gone.xml", b"gone", status=410, etag=False, last_modified=False)
    tidings.run("add", feed_server.url("/gone.xml"), "--no-discover")
    assert "1 failed" in tidings.run("refresh").stdout
    feed = tidings.json("feeds")[0]
    assert feed["disabled"] is True and "410" in (feed["last_error"] or "")
    # a disabled feed is not due any more
    assert "0 ok, 0 not modified, 0 failed" in tidings.run("refresh").stdout


def test_search_from_the_command_line(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/feed.xml", rss(5))
    tidings.run("add", feed_server.url("/feed.xml"))
    tidings.run("refresh")

    (hit,) = tidings.json("search", '"story number 3"')
    assert hit["guid"] == "story-3" and hit["hit_title"] == "Story number 3 & more"
    assert "\x02" not in hit["hit"] and "\x03" not in hit["hit"]
    assert len(tidings.json("search", "paragraph", "--limit", "2")) == 2
    assert [h["guid"] for h in tidings.json("search", "story", "-lead", "-second")] == []

    shown = tidings.run("search", "number", "4").stdout  # not a terminal: no styling
    assert "Story number 4 & more" in shown and "\x1b" not in shown
    assert tidings.run("search", "nothingmatches").stderr.strip() == "no entries match"

    bad = tidings.run("search", "-story", check=False)
    assert bad.returncode == 2 and "Add a word to search for" in bad.stderr


def test_categories_listed_renamed_and_deleted(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/a.xml", atom(3))
    feed_server.set("/b.xml", rss(2))
    tidings.run("add", feed_server.url("/a.xml"), "--category", "News")
    tidings.run("add", feed_server.url("/b.xml"), "--category", "Tech")
    tidings.run("refresh")
    listed = tidings.run("category", "list").stdout
    assert "News" in listed and "Tech" in listed
    assert "renamed News to World" in tidings.run("category", "rename", "News", "World").stdout
    tidings.run("category", "rename", "Tech", "World")  # into an existing one: merged
    assert {f["category"] for f in tidings.json("feeds")} == {"World"}
    assert "deleted World" in tidings.run("category", "delete", "World").stdout
    assert {f["category"] for f in tidings.json("feeds")} == {None}
    assert len(tidings.json("feeds")) == 2  # the feeds stay
    missing = tidings.run("category", "delete", "Nope", check=False)
    assert missing.returncode == 1 and "no category" in missing.stderr
    blank = tidings.run("category", "rename", "World", " ", check=False)
    assert blank.returncode == 2
    evil = tidings.run("category", "rename", "x", "\x1b[31mred", check=False)
    assert "\x1b" not in evil.stdout + evil.stderr
