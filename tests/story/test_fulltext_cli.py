"""End to end through the real `tidings` command: teaser feeds, article pages, copies, rules."""

from __future__ import annotations

from conftest import Tidings
from feedserver import FeedServer
from rawdb import raw_db

from story.pages import CLUTTER_LINES, article_page, paragraphs, teaser_feed


def _wire_feed(base: str, ids: list[int]) -> bytes:
    """A second publisher carrying the same stories in full, under its own URLs and titles."""
    items = []
    for i in ids:
        body = "".join(f"<p>{p}</p>" for p in paragraphs(i))
        items.append(
            f"""<item><title>WIRE: story {i}</title><link>{base}/wire/{i}</link>
<guid>wire-{i}</guid><description><![CDATA[{body}<p>Share this article</p>
<p>Reporting by the Wire desk</p>]]></description></item>"""
        )
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire Service</title>
<link>{base}/wire/</link><description>Wire</description>{"".join(items)}</channel></rss>""".encode()


def _serve(server: FeedServer, ids: list[int]) -> None:
    for i in ids:
        server.set(f"/article/{i}", article_page(i), content_type="text/html; charset=utf-8")
    server.set("/feed.xml", teaser_feed(server.url("/"), ids))


def test_teaser_feed_gets_full_text_without_clutter(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    _serve(feed_server, [0, 1, 2])
    feed_url = feed_server.url("/feed.xml")
    tidings.run("add", feed_url)
    assert "3 new entries" in tidings.run("refresh").stdout

    entries = tidings.json("entries")
    assert len(entries) == 3
    for e in entries:
        assert e["full_text"] is True
        assert e["word_count"] > 200 and e["reading_minutes"] >= 1
        assert e["source"] == "Fixture Times"
        assert e["section"] == "Russia & Former Soviet Union"
        assert e["language"] == "en-gb"
        assert e["main_image"].startswith("https://img.example/")
        assert e["lead"].endswith("statement about story " + e["link"].rsplit("/", 1)[1] + ".")
        assert "utm_" not in e["link"] and "fbclid" not in e["link"]
        for field in ("content", "summary", "lead"):
            for line in CLUTTER_LINES:
                assert line.lower() not in (e[field] or "").lower(), (field, line)
        assert "pixel.gif" not in e["summary"] and "p.gif" not in e["content"]

    first = next(e for e in entries if e["link"].endswith("/article/0"))
    shown = tidings.run("show", str(first["id"])).stdout
    assert "Fixture Times — Russia & Former Soviet Union" in shown
    assert "full text" in shown and "min read" in shown
    for p in paragraphs(0):
        assert p in shown
    lines = [line.strip() for line in shown.splitlines()]
    for line in CLUTTER_LINES:
        assert line not in lines
    assert "Newsletter" not in shown and "inbox" not in shown
    assert lines[-1].startswith("Source link: http")  # our own footer, with the clean link

    for i in range(3):  # each page fetched once, with tracking parameters stripped
        assert feed_server.hits(f"/article/{i}") == 1
        assert all(
            "utm_" not in r.path for r in feed_server.requests if r.path.startswith("/article")
        )

    # New entries only: a changed feed fetches the one new page, never the old ones again.
    _serve(feed_server, [0, 1, 2, 3])
    assert "1 new entries" in tidings.run("refresh", "--all").stdout
    assert [feed_server.hits(f"/article/{i}") for i in range(4)] == [1, 1, 1, 1]

    # Mode never: a new teaser keeps the feed's own (clean) text.
    assert (
        "full text: never" in tidings.run("feed-options", feed_url, "--full-text", "never").stdout
    )
    _serve(feed_server, [0, 1, 2, 3, 4])
    tidings.run("refresh", "--all")
    assert feed_server.hits("/article/4") == 0
    (latest,) = [e for e in tidings.json("entries") if e["link"].endswith("/article/4")]
    assert latest["full_text"] is False and "Read more" not in (latest["summary"] or "")
    assert "The city library reopened its reading rooms" in latest["summary"]


def test_copies_across_feeds_are_one_story(tidings: Tidings, feed_server: FeedServer) -> None:
    _serve(feed_server, [0, 1, 2])
    feed_server.set("/wire.xml", _wire_feed(feed_server.url("").rstrip("/"), [0, 1, 2]))
    tidings.run("add", feed_server.url("/feed.xml"))
    tidings.run("add", feed_server.url("/wire.xml"))
    assert "6 new entries" in tidings.run("refresh").stdout

    river = tidings.json("entries")
    assert len(river) == 3  # each story once
    for e in river:
        assert e["cluster_id"] is not None
        (other,) = e["duplicates"]
        assert set(other) == {"id", "feed_title", "link"}
        assert {e["feed_title"], other["feed_title"]} == {"Fixture Times - World", "Wire Service"}
    every = tidings.json("entries", "--feed", feed_server.url("/wire.xml"))
    assert len(every) == 3  # the copies stay stored and linked

    shown = tidings.run("show", str(river[0]["id"])).stdout
    assert "Also reported by: " in shown
    assert ("Wire Service" in shown.split("Also reported by: ")[1]) or (
        "Fixture Times - World" in shown.split("Also reported by: ")[1]
    )

    # Reading the story once marks its copies read too.
    tidings.run("mark", str(river[0]["id"]), "--read")
    assert len(tidings.json("entries", "--unread")) == 2
    assert len(tidings.json("entries", "--unread", "--feed", feed_server.url("/wire.xml"))) == 2


def test_rules_from_the_command_line(tidings: Tidings, feed_server: FeedServer) -> None:
    _serve(feed_server, [0, 1, 2])
    feed_url = feed_server.url("/feed.xml")
    tidings.run("add", feed_url)
    tidings.run("refresh")

    out = tidings.run(
        "rules",
        "add",
        "--field",
        "title",
        "--pattern",
        "observatory",
        "--action",
        "drop",
        "--dry-run",
    ).stdout
    assert "The observatory story 2" in out and "1 of 3 stored entries would drop" in out
    assert "no rules" in tidings.run("rules", "list").stdout

    evil = tidings.run(
        "rules",
        "add",
        "--field",
        "content",
        "--pattern",
        "(a+)+$",
        "--action",
        "tag",
        "--value",
        "x",
        "--dry-run",
    ).stdout
    assert "0 of 3" in evil

    bad = tidings.run(
        "rules", "add", "--field", "title", "--pattern", "(", "--action", "drop", check=False
    )
    assert bad.returncode != 0 and "invalid pattern" in bad.stderr and "Traceback" not in bad.stderr

    tidings.run("rules", "add", "--field", "title", "--pattern", "railway", "--action", "drop")
    tidings.run(
        "rules",
        "add",
        "--field",
        "category",
        "--pattern",
        "^russia",
        "--action",
        "tag",
        "--value",
        "east",
        "--feed",
        feed_url,
    )
    rules = tidings.json("rules", "list")
    assert [r["action"] for r in rules] == ["drop", "tag"]
    assert rules[1]["feed_url"] == feed_url

    _serve(feed_server, [0, 1, 2, 3, 4])  # 3 is the railway story, 4 the library story
    tidings.run("refresh", "--all")
    titles = {e["title"]: e for e in tidings.json("entries")}
    assert "The railway story 3" not in titles  # dropped for this user
    assert titles["The library story 4"]["tags"] == ["east"]
    assert titles["The harbour story 0"]["tags"] == []  # rules act on new entries only

    tidings.run("rules", "remove", str(rules[0]["id"]))
    assert [r["id"] for r in tidings.json("rules", "list")] == [rules[1]["id"]]


def test_a_big_refresh_builds_stories_in_the_parsing_workers(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    """Nine feeds: the refresh parses in worker processes and builds each feed's stories
    (and search text) in the same call; only the teasers' pages are fetched afterwards."""
    tidings.env["TIDINGS_PARSE_WORKERS"] = "2"  # the pool, whatever this machine's cores
    for k in range(9):
        ids = [3 * k, 3 * k + 1, 3 * k + 2]
        for i in ids:
            feed_server.set(
                f"/article/{i}", article_page(i), content_type="text/html; charset=utf-8"
            )
        feed_server.set(f"/feed{k}.xml", teaser_feed(feed_server.url("/"), ids))
        tidings.run("add", feed_server.url(f"/feed{k}.xml"))
    assert "27 new entries" in tidings.run("refresh", "--all").stdout

    entries = tidings.json("entries", "--limit", "100")
    assert len(entries) >= 6  # stories sharing a lead (one per topic) are listed once
    for e in entries:
        assert e["full_text"] is True and e["word_count"] > 200
        assert "utm_" not in e["link"]
        for line in CLUTTER_LINES:
            assert line.lower() not in (e["summary"] or "").lower(), line
    assert [feed_server.hits(f"/article/{i}") for i in range(27)] == [1] * 27

    with raw_db(tidings.env["TIDINGS_DB"]) as db:
        match = (
            "entry_search WHERE document @@ phraseto_tsquery('simple', ?)"
            if db.postgres
            else "entries_fts WHERE entries_fts MATCH ?"
        )
        phrase = "Paragraph 7" if db.postgres else '"Paragraph 7"'
        (indexed,) = db.execute(f"SELECT COUNT(*) FROM {match}", [phrase]).fetchone()
        stored, full = db.execute("SELECT COUNT(*), COUNT(full_content) FROM entries").fetchone()
    assert indexed == 27  # the article's text is what search finds
    assert stored == full == 27

    # nothing new: the second refresh builds nothing and fetches no page again
    assert "0 new entries" in tidings.run("refresh", "--all").stdout
    assert [feed_server.hits(f"/article/{i}") for i in range(27)] == [1] * 27
