"""OPML in/out and feed discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.errors import ParseError
from tidings.parser import OpmlFeed, find_feed_links, looks_like_feed, parse_opml, write_opml

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>t</title></head><body>
  <outline type="rss" xmlUrl="https://example.com/feed.xml" title="Example" />
  <outline text="Blogs" title="ignored">
    <outline xmlUrl="https://blogs.example.com/a.rss" title="A" />
    <outline title="friends">
      <outline xmlUrl="feed://blogs.example.com/b.rss" text="B" />
    </outline>
  </outline>
  <outline xmlUrl="javascript:alert(1)" title="bad" />
  <outline xmlUrl="file:///etc/passwd" title="bad" />
  <outline xmlUrl="https://example.com/feed.xml" title="duplicate" />
  <outline xmlUrl="https://c.example/c" category="/News/World,Other" />
</body></opml>"""


def test_parse_opml() -> None:
    assert parse_opml(OPML) == [
        OpmlFeed("https://example.com/feed.xml", "Example", None),
        OpmlFeed("https://blogs.example.com/a.rss", "A", "Blogs"),
        OpmlFeed("http://blogs.example.com/b.rss", "B", "friends"),
        OpmlFeed("https://c.example/c", None, "World"),
    ]


def test_opml_round_trip() -> None:
    feeds = parse_opml(OPML)
    assert parse_opml(write_opml(feeds)) == feeds


def test_opml_caps_and_rejects() -> None:
    many = b"".join(b'<outline xmlUrl="https://e.com/%d"/>' % i for i in range(100))
    assert len(parse_opml(b"<opml><body>" + many + b"</body></opml>", max_feeds=10)) == 10
    with pytest.raises(ParseError):
        parse_opml(b"<rss><channel/></rss>")
    with pytest.raises(ParseError):
        parse_opml(b"not xml at all")
    assert parse_opml(b"<opml><head/></opml>") == []


def test_opml_xxe() -> None:
    body = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml><body><outline title="&x;" xmlUrl="https://e.com/"/></body></opml>"""
    (feed,) = parse_opml(body)
    assert "root:" not in (feed.title or "")


def test_opml_corpus() -> None:
    folder = CORPUS / "opml"
    if not folder.exists():
        pytest.skip(f"corpus not found: {folder}")
    total = 0
    for path in sorted(folder.rglob("*.opml")):
        try:
            total += len(parse_opml(path.read_bytes()))
        except ParseError:
            assert "missing" in path.name  # only the deliberately broken ones
    assert total > 20


PAGE = b"""<!doctype html><html><head>
<base href="https://example.com/blog/">
<link rel="alternate" type="application/rss+xml" href="feed.rss">
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="https://example.com/feed.json">
<link rel="alternate" type="text/html" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head><body>
<a href="/feed/">Feed</a> <a href="/about">About</a> <a href="comments.rss">c</a>
<a href="/feed.rss">dup</a>
</body></html>"""


def test_find_feed_links() -> None:
    assert find_feed_links(PAGE, "https://example.com/") == [
        "https://example.com/blog/feed.rss",
        "https://example.com/atom.xml",
        "https://example.com/feed.json",
        "https://example.com/feed/",
        "https://example.com/blog/comments.rss",
        "https://example.com/feed.rss",
    ]


def test_find_feed_links_on_junk() -> None:
    assert find_feed_links(b"", "https://e.com/") == []
    assert find_feed_links(b"\x00\xff binary", "https://e.com/") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', True),
        (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom">', True),
        (b"<rdf:RDF xmlns:rdf='x'>", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', True),
        (b"<!doctype html><html><head><title>rss</title>", False),
        (b'{"some": "json"}', False),
        (b"", False),
    ],
)
def test_looks_like_feed(body: bytes, expected: bool) -> None:
    assert looks_like_feed(body) is expected


def test_discovery_corpus() -> None:
    folder = CORPUS / "discovery-html"
    if not folder.exists():
        pytest.skip(f"corpus not found: {folder}")
    found = {
        p.name: find_feed_links(p.read_bytes(), "https://example.com/")
        for p in folder.rglob("*.html")
    }
    assert found["DaringFireball.html"]
    assert not found["notafeed.html"] or all("example.com" in u for u in found["notafeed.html"])


def test_wordpress_rest_json_is_not_a_feed() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/12">
    <link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">
    </head></html>"""
    assert find_feed_links(page, "https://e.com/") == ["https://e.com/feed.json"]


def test_opml_keeps_the_site_address_when_it_is_http() -> None:
    """``htmlUrl`` (the feed's site) round-trips; anything but http(s) is dropped (#12, #15)."""
    doc = (
        b'<opml version="2.0"><body>'
        b'<outline type="rss" text="A" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>'
        b'<outline type="rss" text="B" xmlUrl="https://b.example/feed" htmlUrl="javascript:alert(1)"/>'
        b"</body></opml>"
    )
    feeds = parse_opml(doc)
    assert [f.html_url for f in feeds] == ["https://a.example/", None]
    written = write_opml(feeds)
    assert b'htmlUrl="https://a.example/"' in written and b"javascript" not in written
    assert parse_opml(written) == feeds


def test_find_feed_candidates_names_their_titles_and_kinds() -> None:
    """What the web's choice lists (#15): the page's title for each feed, as plain
    text (controls out, one line, capped), and its kind by the link's type."""
    from tidings.parser.discovery import FeedLink, find_feed_candidates

    page = (
        b'<html><head><link rel="alternate" type="application/atom+xml" title="Posts &amp;'
        b' notes" href="/posts.atom"><link rel="alternate" type="application/rss+xml"'
        b' title="Com\x07ments\n  feed" href="/c.rss"><link rel="alternate"'
        b' type="application/feed+json" href="/f.json"><link rel="alternate" type="text/xml"'
        b' title="' + b"T" * 5000 + b'" href="/x.xml"></head><body>'
        b'<a href="/feed/">The <b>whole</b> feed</a><a href="/c.rss">again</a></body></html>'
    )
    found = find_feed_candidates(page, "https://site.example/")
    assert found[:3] == [
        FeedLink("https://site.example/posts.atom", "Posts & notes", "Atom"),
        FeedLink("https://site.example/c.rss", "Comments feed", "RSS"),
        FeedLink("https://site.example/f.json", None, "JSON Feed"),
    ]
    long = found[3]
    assert long.kind == "XML" and long.title is not None and len(long.title) == 200
    assert found[4:] == [FeedLink("https://site.example/feed/", "The whole feed", None)]
    assert find_feed_links(page, "https://site.example/") == [f.url for f in found]
