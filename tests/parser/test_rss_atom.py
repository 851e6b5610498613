"""parse_feed on small hand-written RSS, RDF and Atom documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.errors import ParseError
from tidings.model import Enclosure
from tidings.parser import parse_feed

URL = "https://example.com/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>Example &amp; Co</title>
  <link>https://example.com/</link>
  <description>All the &lt;b&gt;news&lt;/b&gt;</description>
  <language>en-us</language>
  <ttl>30</ttl>
  <lastBuildDate>Tue, 10 Jun 2003 04:00:00 GMT</lastBuildDate>
  <atom:link rel="hub" href="https://hub.example.net/"/>
  <atom:link rel="self" href="https://example.com/feed.xml"/>
  <image><url>/logo.png</url></image>
  <item>
    <title>First &lt;em&gt;post&lt;/em&gt;</title>
    <link>/posts/1</link>
    <guid isPermaLink="false">post-1</guid>
    <description><![CDATA[<p onclick="x()">Hello <script>alert(1)</script><a href="/a">a</a></p>]]></description>
    <content:encoded><![CDATA[<p>Full <img src="/i.png"></p>]]></content:encoded>
    <dc:creator>Jane</dc:creator>
    <pubDate>Wed, 11 Jun 2003 04:00:00 -0400</pubDate>
    <category>news</category><category>tech</category><category>news</category>
    <enclosure url="/ep1.mp3" type="audio/mpeg" length="1234"/>
    <enclosure url="/ep2.mp3" type="audio/mpeg" length="lots"/>
    <comments>/posts/1#comments</comments>
    <media:thumbnail url="https://cdn.example.com/t.jpg"/>
  </item>
  <item>
    <title>No guid</title>
    <link>https://example.com/posts/2</link>
  </item>
  <item><guid>https://example.com/posts/3</guid></item>
  <item><title>Only a title</title></item>
</channel>
</rss>"""


def test_rss_feed_fields() -> None:
    feed = parse_feed(RSS, url=URL)
    assert feed.version == "rss20"
    assert feed.title == "Example & Co"
    assert feed.link == "https://example.com/"
    assert feed.description == "All the <b>news</b>"
    assert feed.language == "en-us"
    assert feed.ttl_minutes == 30
    assert feed.updated == datetime(2003, 6, 10, 4, tzinfo=UTC)
    assert feed.hub == "https://hub.example.net/"
    assert feed.self_url == URL
    assert feed.image == "https://example.com/logo.png"


def test_rss_entry_fields() -> None:
    entry = parse_feed(RSS, url=URL).entries[0]
    assert entry.id == "post-1"
    assert entry.title == "First post"
    assert entry.link == "https://example.com/posts/1"
    assert entry.author == "Jane"
    assert entry.published == datetime(2003, 6, 11, 8, tzinfo=UTC)
    assert entry.summary is not None
    assert "script" not in entry.summary and "onclick" not in entry.summary
    assert 'href="https://example.com/a"' in entry.summary
    assert entry.content is not None and 'src="https://example.com/i.png"' in entry.content
    assert entry.categories == ("news", "tech")
    assert entry.enclosures == (
        Enclosure("https://example.com/ep1.mp3", "audio/mpeg", 1234),
        Enclosure("https://example.com/ep2.mp3", "audio/mpeg", None),
    )
    assert entry.comments == "https://example.com/posts/1#comments"
    assert entry.image == "https://cdn.example.com/t.jpg"


def test_rss_entry_ids_fall_back() -> None:
    entries = parse_feed(RSS, url=URL).entries
    assert entries[1].id == "https://example.com/posts/2"
    assert entries[2].id == entries[2].link == "https://example.com/posts/3"
    assert entries[3].id.startswith("sha256:")
    assert parse_feed(RSS, url=URL).entries[3].id == entries[3].id  # stable


def test_duplicate_ids_are_disambiguated() -> None:
    items = b"".join(
        b"<item><guid>same</guid><link>https://e.com/%d</link></item>" % (i % 2) for i in range(3)
    )
    feed = parse_feed(b"<rss><channel>" + items + b"</channel></rss>", url=URL)
    assert [e.id for e in feed.entries] == ["same", "same|https://e.com/1", "same|https://e.com/0"]
    feed = parse_feed(b"<rss><channel>" + items * 2 + b"</channel></rss>", url=URL)
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == 6 and ids[3] == "same|https://e.com/0|3"


def test_max_entries() -> None:
    items = b"<item><title>x</title></item>" * 50
    feed = parse_feed(b"<rss><channel>" + items + b"</channel></rss>", url=URL, max_entries=7)
    assert len(feed.entries) == 7


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/">
    <title>RDF feed</title><link>https://example.org/</link>
    <description>d</description><dc:language>fr</dc:language>
  </channel>
  <item rdf:about="https://example.org/1">
    <title>One</title><link>https://example.org/1</link>
    <dc:date>2004-01-01T12:00:00+01:00</dc:date><dc:creator>Pierre</dc:creator>
  </item>
</rdf:RDF>"""


def test_rdf() -> None:
    feed = parse_feed(RDF, url="https://example.org/index.rdf")
    assert feed.version == "rss10"
    assert (feed.title, feed.link, feed.language) == ("RDF feed", "https://example.org/", "fr")
    (entry,) = feed.entries
    assert (entry.title, entry.link, entry.author) == ("One", "https://example.org/1", "Pierre")
    assert entry.updated == datetime(2004, 1, 1, 11, tzinfo=UTC)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.net/blog/" xml:lang="en">
  <title type="html">Atom &lt;i&gt;feed&lt;/i&gt;</title>
  <subtitle>Plain &lt;text&gt;</subtitle>
  <link href="https://example.net/blog/"/>
  <link rel="self" href="feed.atom"/>
  <link rel="hub" href="https://pubsubhubbub.appspot.com/"/>
  <icon>/favicon.ico</icon><logo>logo.png</logo>
  <updated>2005-07-31T12:29:29Z</updated>
  <author><name>Mark</name><email>m@example.net</email></author>
  <entry>
    <id>tag:example.net,2005:1</id>
    <title>Entry</title>
    <link rel="alternate" type="text/html" href="2005/07/entry"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="/audio.mp3"/>
    <published>2003-12-13T08:29:29-04:00</published>
    <updated>2005-07-31T12:29:29Z</updated>
    <category term="atom"/>
    <summary type="text">1 &lt; 2</summary>
    <content type="xhtml" xml:base="/other/">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>See <a href="x.html">x</a></p></div>
    </content>
  </entry>
  <entry>
    <id>tag:example.net,2005:2</id>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>HTML</b></div></title>
    <author><name>Sam</name></author>
    <content type="html">&lt;p&gt;escaped&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_atom_feed() -> None:
    feed = parse_feed(ATOM, url="https://example.net/blog/feed.atom")
    assert feed.version == "atom10"
    assert feed.title == "Atom feed"
    assert feed.description == "Plain &lt;text&gt;"
    assert feed.link == "https://example.net/blog/"
    assert feed.self_url == "https://example.net/blog/feed.atom"
    assert feed.hub == "https://pubsubhubbub.appspot.com/"
    assert feed.icon == "https://example.net/favicon.ico"
    assert feed.image == "https://example.net/blog/logo.png"
    assert feed.language == "en"
    assert feed.updated == datetime(2005, 7, 31, 12, 29, 29, tzinfo=UTC)


def test_atom_entries() -> None:
    first, second = parse_feed(ATOM, url="https://example.net/blog/feed.atom").entries
    assert first.id == "tag:example.net,2005:1"
    assert first.link == "https://example.net/blog/2005/07/entry"
    assert first.author == "Mark"  # inherited from the feed
    assert first.published == datetime(2003, 12, 13, 12, 29, 29, tzinfo=UTC)
    assert first.summary == "1 &lt; 2"
    assert first.content is not None
    assert 'href="https://example.net/other/x.html"' in first.content
    assert first.enclosures == (Enclosure("https://example.net/audio.mp3", "audio/mpeg", 1337),)
    assert first.categories == ("atom",)
    assert second.title == "XHTML"
    assert second.author == "Sam"
    assert second.content == "<p>escaped</p>"


def test_atom03() -> None:
    body = b"""<feed version="0.3" xmlns="http://purl.org/atom/ns#">
      <title>Old</title><tagline>t</tagline><modified>2004-01-01T00:00:00Z</modified>
      <entry><id>1</id><title>e</title><issued>2003-12-31T10:14:55Z</issued>
      <content type="text/html" mode="escaped">&lt;b&gt;hi&lt;/b&gt;</content>
      <content type="text/html" mode="base64">PGI+aGk8L2I+</content></entry></feed>"""
    feed = parse_feed(body, url=URL)
    assert feed.version == "atom03"
    assert feed.description == "t"
    assert feed.entries[0].published == datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)
    assert feed.entries[0].content == "<b>hi</b>"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"<html><body>not a feed</body></html>",
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>",
        b"\x00\x01\x02garbage",
        b'{"not": "a feed"}',
        b"[1, 2, 3]",
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, url=URL)


def test_unsafe_urls_are_dropped() -> None:
    body = b"""<rss><channel><link>javascript:alert(1)</link><item>
      <link>javascript:alert(1)</link><guid>g</guid><comments>data:text/html,x</comments>
      <enclosure url="file:///etc/passwd"/></item></channel></rss>"""
    feed = parse_feed(body, url=URL)
    entry = feed.entries[0]
    assert feed.link is None and entry.link is None and entry.comments is None
    assert entry.enclosures == ()


def test_xml_base_javascript_is_refused() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="javascript:alert(1)//">
      <entry><id>1</id><link href="x"/></entry></feed>"""
    assert parse_feed(body, url=URL).entries[0].link is None


def test_rss_variants() -> None:
    body = b"""<rss xmlns="http://backend.userland.com/rss2"
      xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"
      xmlns:media="http://search.yahoo.com/mrss/"><channel>
      <title>NS</title><itunes:image url="https://e.com/i.png"/>
      <item><guid>1</guid><author>ann@example.com (Ann Author)</author>
        <fullitem>&lt;p&gt;full&lt;/p&gt;</fullitem>
        <itunes:category text="Tech"><itunes:category text="Gadgets"/></itunes:category>
        <media:title>Media title</media:title><media:description>md</media:description></item>
      <item><guid>2</guid><author>Bob &lt;bob@example.com&gt;</author>
        <body xmlns="http://www.w3.org/1999/xhtml"><p>x<b>html</b></p></body></item>
    </channel></rss>"""
    feed = parse_feed(body, url=URL)
    assert feed.title == "NS" and feed.image == "https://e.com/i.png"
    first, second = feed.entries
    assert first.author == "Ann Author" and first.content == "<p>full</p>"
    assert first.categories == ("Tech", "Gadgets")
    assert first.title == "Media title" and first.summary == "md"
    assert second.author == "Bob" and second.content == "<p>x<b>html</b></p>"


def test_rdf_about_is_the_id() -> None:
    body = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/"><item rdf:about="urn:x:1"><title>t</title></item></rdf:RDF>"""
    assert parse_feed(body, url=URL).entries[0].id == "urn:x:1"


def test_uppercase_hex_character_reference() -> None:
    assert parse_feed(b"<rss><channel><title>&#X41;</title></channel></rss>", url=URL).title == "A"


def test_sanitize_false_keeps_raw_html() -> None:
    entry = parse_feed(RSS, url=URL, sanitize=False).entries[0]
    assert entry.summary is not None and "<script>" in entry.summary  # untrusted, by request
    assert entry.link == "https://example.com/posts/1"  # URLs are still checked


def test_lone_atom_entry_document() -> None:
    body = b"""<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:1</id><title>Lone</title>
      <link href="https://e.com/1"/></entry>"""
    feed = parse_feed(body, url=URL)
    assert feed.version == "atom10" and feed.entries[0].title == "Lone"


def test_lowercase_rdf_root_without_namespace() -> None:
    body = b"<rdf><item><title>T</title><link>https://e.com/1</link></item></rdf>"
    assert parse_feed(body, url=URL).entries[0].link == "https://e.com/1"


def test_items_inside_an_unclosed_element_are_found() -> None:
    body = b"""<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
      <title>T</title><itunes:category text="Tech">
      <item><title>one</title></item><item><title>two</title></item>
      </channel></rss>"""
    assert [e.title for e in parse_feed(body, url=URL).entries] == ["one", "two"]
