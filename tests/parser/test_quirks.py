"""Real-world quirks found through feedparser's conformance cases (docs/conformance.md)."""

from __future__ import annotations

from tidings.parser import parse_feed

URL = "https://example.com/feed.xml"
B64 = "PHA+SGlzdG9yeSBvZiB0aGUgJmx0O2JsaW5rJmd0OyB0YWc8L3A+"  # <p>History of the &lt;blink&gt; tag</p>


def _atom_entry(inner: str) -> bytes:
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><entry>{inner}</entry></feed>'.encode()


def test_xhtml_character_data_stays_text() -> None:
    body = _atom_entry(
        '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "History of the &lt;blink&gt; tag</div></title>"
        '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "History of the &lt;blink&gt; tag</div></summary>"
    )
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.title == "History of the <blink> tag"
    assert entry.summary == "History of the &lt;blink&gt; tag"


def test_atom_base64_text_of_another_media_type_is_read() -> None:
    body = _atom_entry(f'<content type="application/octet-stream">{B64}</content>')
    assert parse_feed(body, url=URL).entries[0].content == "<p>History of the &lt;blink&gt; tag</p>"


def test_atom_base64_binary_is_dropped() -> None:
    body = _atom_entry('<content type="image/png">iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB</content>')
    assert parse_feed(body, url=URL).entries[0].content is None


def test_typepad_escaped_html_in_a_div() -> None:
    body = _atom_entry(
        '<content type="html"><div xmlns="http://www.w3.org/1999/xhtml">'
        "Example &lt;b&gt;Atom&lt;/b&gt;</div></content>"
    )
    assert parse_feed(body, url=URL).entries[0].content == "Example <b>Atom</b>"


def test_media_rss_namespace_without_slash() -> None:
    body = b"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss"><channel><item>
    <media:category>cat1</media:category><media:category>cat2</media:category>
    <media:thumbnail url="https://example.com/t.jpg"/></item></channel></rss>"""
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.categories == ("cat1", "cat2")
    assert entry.image == "https://example.com/t.jpg"


def test_youtube_style_media_group_description() -> None:
    body = _atom_entry(
        '<title>A video</title><media:group xmlns:media="http://search.yahoo.com/mrss/">'
        '<media:thumbnail url="https://i.example.com/v.jpg"/>'
        "<media:description>What the video is about</media:description></media:group>"
    )
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.summary == "What the video is about"
    assert entry.image == "https://i.example.com/v.jpg"


def test_rss_author_name_before_email() -> None:
    body = b"""<rss version="2.0"><channel><item><title>t</title>
    <author>Example editor (me@example.com)</author></item></channel></rss>"""
    assert parse_feed(body, url=URL).entries[0].author == "Example editor"


def test_language_underscore_becomes_hyphen() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_US"><title>t</title></feed>'
    assert parse_feed(body, url=URL).language == "en-US"


def test_last_repeated_date_wins() -> None:
    body = _atom_entry(
        "<updated>2010-12-01T10:14:55Z</updated><updated>2003-12-31T10:14:55Z</updated>"
    )
    updated = parse_feed(body, url=URL).entries[0].updated
    assert updated is not None and updated.year == 2003


def test_itunes_channel_quirks() -> None:
    body = b"""<rss xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>
    <TiTlE>Example title</TiTlE>
    <itunes:link rel="image" href="http://example.com/logo.jpg"></itunes:link>
    </channel></rss>"""
    feed = parse_feed(body, url=URL)
    assert feed.title == "Example title"
    assert feed.image == "http://example.com/logo.jpg"


def test_rss_item_element_in_an_atom_document() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><item><title>x</title></item></feed>'
    assert [e.title for e in parse_feed(body, url=URL).entries] == ["x"]


def test_script_and_style_bodies_stay_out_of_titles() -> None:
    body = _atom_entry(
        '<title type="html">safe&lt;script type="text/javascript"&gt;location.href=1;'
        "&lt;/script&gt; description&lt;style&gt;b {}&lt;/style&gt;</title>"
    )
    assert parse_feed(body, url=URL).entries[0].title == "safe description"


def _rss_item(inner: bytes, prolog: bytes = b'<?xml version="1.0"?>') -> bytes:
    return prolog + b'<rss version="2.0"><channel><item>' + inner + b"</item></channel></rss>"


def test_c1_characters_are_windows_1252() -> None:
    for inner in (b"<title>don\xc2\x92t</title>", b"<title>don&#146;t</title>"):
        assert parse_feed(_rss_item(inner), url=URL).entries[0].title == "don\u2019t"


def test_double_encoded_utf8_is_repaired() -> None:
    body = _rss_item(b"<description>wait&#226;&#128;&#166;</description>")
    assert parse_feed(body, url=URL).entries[0].summary == "wait\u2026"


def test_iso_8859_1_label_reads_windows_1252() -> None:
    body = _rss_item(
        b"<title>don\x92t \xe9t\xe9</title>", b'<?xml version="1.0" encoding="iso-8859-1"?>'
    )
    assert parse_feed(body, url=URL).entries[0].title == "don\u2019t \xe9t\xe9"


def test_plain_latin_1_text_is_left_alone() -> None:
    body = _rss_item("<title>na\u00efve caf\u00e9 \u00a9</title>".encode())
    assert parse_feed(body, url=URL).entries[0].title == "na\u00efve caf\u00e9 \u00a9"


def test_quoted_angle_brackets_stay_inside_their_tag() -> None:
    body = _atom_entry(
        '<title type="html">&lt;img alt="cat&amp;lt;br /&amp;gt;dog" src="x.jpg" /&gt;Cats</title>'
    )
    assert parse_feed(body, url=URL).entries[0].title == "Cats"


def test_rss_090_without_a_channel() -> None:
    body = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://my.netscape.com/rdf/simple/0.9/"></rdf:RDF>"""
    assert parse_feed(body, url=URL).version == "rss090"
