"""Hostile text in feeds (#11): surrogate references, control characters, huge fields,
numbers JSON cannot hold, and what libxml2's recovery does after an illegal character."""

from __future__ import annotations

import json

import pytest

from tidings.model import EntryData, FeedData
from tidings.parser import parse_feed, parse_opml
from tidings.parser.fields import (
    MAX_AUTHOR_CHARS,
    MAX_CATEGORY_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    strip_controls,
)

URL = "https://example.com/feed"
ATOM = "http://www.w3.org/2005/Atom"
# Every character strip_controls removes: C0 but tab/newline/CR, DEL, C1.
CONTROLS = [chr(c) for c in [*range(9), 11, 12, *range(14, 32), *range(127, 160)]]


def _rss(channel_title: str, item: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{channel_title}</title>'
        f"<link>https://example.com/</link><item>{item}</item></channel></rss>"
    ).encode()


def _atom(feed_title: str, entry: str) -> bytes:
    return (
        f'<feed xmlns="{ATOM}"><title>{feed_title}</title><subtitle>Sub</subtitle>'
        f"<id>urn:f</id><entry><id>urn:e</id>{entry}</entry></feed>"
    ).encode()


def _texts(feed: FeedData) -> list[str]:
    """Every text field of a feed and its entries."""
    out = [feed.title or "", feed.description or ""]
    for e in feed.entries:
        out += [e.title or "", e.author or "", e.summary or "", e.content or "", *e.categories]
    return out


def _no_controls(feed: FeedData) -> None:
    for text in _texts(feed):
        bad = [c for c in text if c in CONTROLS]
        assert not bad, (text, bad)


# -- 4. surrogate character references ---------------------------------------------------


@pytest.mark.parametrize("pair", ["&#xD83D;&#xDE00;", "&#55357;&#56832;", "&#xd83d;&#xde00;"])
def test_rss_surrogate_pair_references_become_the_character(pair: str) -> None:
    body = _rss(f"Smile {pair}", f"<title>Hi {pair}!</title><link>https://example.com/1</link>")
    feed = parse_feed(body, url=URL)
    assert feed.title == "Smile \U0001f600"
    assert feed.entries[0].title == "Hi \U0001f600!"


def test_atom_lone_surrogate_references_become_replacement_characters() -> None:
    body = _atom("T &#xD83D; x", "<title>A&#xDE00;b &#56320;</title><summary>s &#xD800;</summary>")
    feed = parse_feed(body, url=URL)
    assert feed.title == "T \ufffd x"
    entry = feed.entries[0]
    assert entry.title == "A\ufffdb \ufffd"
    assert entry.summary == "s \ufffd"


def test_surrogate_references_keep_the_rest_of_the_document() -> None:
    items = "".join(
        f"<item><title>Story {i} &amp; more</title><link>https://example.com/{i}</link></item>"
        for i in range(3)
    )
    body = (
        '<rss version="2.0"><channel><title>A &#xD83D;&#xDE00; &amp; B</title>'
        f"{items}</channel></rss>"
    ).encode()
    feed = parse_feed(body, url=URL)
    assert feed.title == "A \U0001f600 & B"
    assert [e.title for e in feed.entries] == [f"Story {i} & more" for i in range(3)]


def test_opml_surrogate_references_are_repaired() -> None:
    body = (
        b'<opml version="2.0"><body><outline text="News &#xD83D;&#xDE00;">'
        b'<outline text="Feed &#xDE00;" xmlUrl="https://example.com/feed"/>'
        b"</outline></body></opml>"
    )
    (feed,) = parse_opml(body)
    assert feed.title == "Feed \ufffd"
    assert feed.category == "News \U0001f600"


# -- (a) escaped text after an XML-illegal character ------------------------------------


@pytest.mark.parametrize("bad", ["\x01", "&#1;", "&#x1b;", "\x1b", "\uffff"])
def test_escaped_text_after_an_illegal_character_is_kept(bad: str) -> None:
    body = _rss(
        f"Q{bad} &amp; A",
        "<title>Tom &amp; Jerry &lt;3</title><link>https://example.com/1</link>"
        "<description>&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt; &amp;amp; more&lt;/p&gt;</description>",
    )
    feed = parse_feed(body, url=URL)
    assert feed.title == "Q & A"
    entry = feed.entries[0]
    assert entry.title == "Tom & Jerry <3"
    assert entry.summary == "<p>Escaped <b>HTML</b> &amp; more</p>"


# -- 5. control characters in every plain-text field -------------------------------------

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\\x9b31m\x7f\x85\x90"
REFS = "&#27;[2J&#x1b;]0;pwned&#7;&#x9b;31m&#127;&#x85;&#144;"


@pytest.mark.parametrize("text", [REFS, "&amp;#27;[2J&amp;#x7f;&amp;#7;", ESCAPES])
def test_rss_controls_are_stripped_from_every_text_field(text: str) -> None:
    from xml.sax.saxutils import escape

    if text is ESCAPES:  # literal: the XML-legal ones (DEL, C1) as they are, C0 as bytes
        text = escape(text)
    item = (
        f"<title>T{text}</title><link>https://example.com/1</link>"
        f"<description>D{text}</description><dc:creator>A{text}</dc:creator>"
        f"<category>C{text}</category>"
        f"<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        f"&lt;p&gt;H{text}&lt;/p&gt;</content:encoded>"
    )
    feed = parse_feed(_rss(f"F{text}", item), url=URL)
    _no_controls(feed)
    entry = feed.entries[0]
    assert entry.title is not None and entry.title.startswith("T")
    assert entry.author is not None and entry.author.startswith("A")
    assert entry.categories and entry.categories[0].startswith("C")


def test_atom_controls_are_stripped_from_every_text_field() -> None:
    entry = (
        f"<title type='html'>T{REFS}</title><author><name>A{REFS}</name></author>"
        f"<category term='C{REFS}'/><summary>S{REFS}</summary>"
        f"<content type='html'>&lt;p&gt;H{REFS}&lt;/p&gt;</content>"
    )
    body = _atom(f"F{REFS}", entry).replace(b"<subtitle>Sub", f"<subtitle>S{REFS}".encode())
    feed = parse_feed(body, url=URL)
    _no_controls(feed)
    assert feed.entries[0].author is not None and feed.entries[0].author.startswith("A")


def test_rdf_controls_are_stripped() -> None:
    body = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>F{REFS}</title><description>D{REFS}</description></channel>"
        f'<item rdf:about="https://example.com/1"><title>T{REFS}</title>'
        f"<description>S{REFS}</description><dc:creator>A{REFS}</dc:creator>"
        f"<dc:subject>C{REFS}</dc:subject></item></rdf:RDF>"
    ).encode()
    feed = parse_feed(body, url=URL)
    _no_controls(feed)
    assert len(feed.entries) == 1


def test_json_feed_controls_are_stripped() -> None:
    bad = ESCAPES + "&#27;"
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"F{bad}",
        "description": f"D{bad}",
        "authors": [{"name": f"A{bad}"}],
        "items": [
            {
                "id": "1",
                "title": f"T{bad}",
                "summary": f"S{bad}",
                "content_html": f"<p>H{bad}</p>",
                "tags": [f"C{bad}"],
            },
            {"id": "2", "content_text": f"X{bad}"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), url=URL)
    _no_controls(feed)
    assert feed.entries[0].author is not None and feed.entries[0].author.startswith("A")


def test_opml_controls_are_stripped() -> None:
    body = (
        b'<opml version="2.0"><body><outline text="Cat&#x9b;1m\x7f">'
        b'<outline text="Feed&#x85;\x1b[2J" xmlUrl="https://example.com/feed"/>'
        b"</outline></body></opml>"
    )
    (feed,) = parse_opml(body)
    assert feed.title is not None and not any(c in CONTROLS for c in feed.title)
    assert feed.category is not None and not any(c in CONTROLS for c in feed.category)


def test_strip_controls_reads_c1_as_windows_1252_first() -> None:
    assert strip_controls("don\x92t \x1b[0m") == "don\u2019t [0m"
    assert strip_controls("caf\u00c3\u00a9") == "caf\u00c3\u00a9"  # no C1: left alone
    assert strip_controls("tab\tnew\nline\r") == "tab\tnew\nline\r"


# -- 6. size caps ------------------------------------------------------------------------


def test_a_12_mb_description_is_capped() -> None:
    huge = "word " * (12 * 1024 * 1024 // 5)
    item = (
        f"<title>{'t' * 5000}</title><link>https://example.com/1</link>"
        f"<author>{'a' * 5000}</author><category>{'c' * 5000}</category>"
        f"<description>{huge}</description>"
    )
    feed = parse_feed(_rss("x" * 5000, item), url=URL)
    entry = feed.entries[0]
    assert entry.summary is not None
    assert len(entry.summary) < MAX_SUMMARY_CHARS + 100
    assert entry.summary.endswith("[content truncated]</em></p>")
    assert entry.title is not None and len(entry.title) == MAX_TITLE_CHARS
    assert feed.title is not None and len(feed.title) == MAX_TITLE_CHARS
    assert entry.author is not None and len(entry.author) <= MAX_AUTHOR_CHARS
    assert len(entry.categories[0]) <= MAX_CATEGORY_CHARS


def test_caps_apply_to_atom_and_json_feed() -> None:
    big = "x" * (MAX_SUMMARY_CHARS * 2)
    atom = _atom("t" * 5000, f"<title>{'t' * 5000}</title><summary>{big}</summary>")
    for feed in (
        parse_feed(atom, url=URL),
        parse_feed(
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "title": "t" * 5000,
                    "items": [
                        {"id": "1", "title": "t" * 5000, "summary": big, "tags": ["c" * 900]}
                    ],
                }
            ).encode(),
            url=URL,
        ),
    ):
        entry: EntryData = feed.entries[0]
        assert feed.title is not None and len(feed.title) == MAX_TITLE_CHARS
        assert entry.title is not None and len(entry.title) == MAX_TITLE_CHARS
        assert entry.summary is not None and len(entry.summary) < MAX_SUMMARY_CHARS + 100
        assert all(len(c) <= MAX_CATEGORY_CHARS for c in entry.categories)


# -- 17. numbers JSON cannot hold --------------------------------------------------------


def _json_ids(*ids: str) -> bytes:
    items = ",".join(f'{{"id": {i}, "title": "t{n}"}}' for n, i in enumerate(ids))
    return f'{{"version": "https://jsonfeed.org/version/1", "items": [{items}]}}'.encode()


def test_a_4301_digit_integer_id_is_kept_as_written() -> None:
    big = "9" * 4301
    feed = parse_feed(_json_ids(big, "7"), url=URL)
    assert [e.title for e in feed.entries] == ["t0", "t1"]
    assert feed.entries[0].id == big[:2048]  # ids are capped (identity.MAX_ID_CHARS)
    assert feed.entries[1].id == "7"


def test_a_huge_float_id_is_kept_as_written() -> None:
    feed = parse_feed(_json_ids("1e999999", "-1e999999", "2.50"), url=URL)
    assert [e.id for e in feed.entries] == ["1e999999", "-1e999999", "2.50"]


def test_a_huge_size_in_bytes_is_ignored() -> None:
    body = (
        '{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "attachments": '
        f'[{{"url": "https://example.com/a.mp3", "size_in_bytes": {"9" * 5000}}}]}}]}}'
    ).encode()
    (entry,) = parse_feed(body, url=URL).entries
    assert entry.enclosures[0].length is None


# -- (c) UTF-8 served as ISO-8859-1 ------------------------------------------------------


@pytest.mark.parametrize("charset", ["iso-8859-1", "latin1", "windows-1252", "us-ascii"])
def test_utf8_bytes_with_a_latin1_charset_are_read_as_utf8(charset: str) -> None:
    body = _rss("Z\u00fcrich \u2014 Caf\u00e9", "<title>\u00d6ffnung\u2026</title>")
    feed = parse_feed(body, url=URL, content_type=f"text/xml; charset={charset}")
    assert feed.title == "Z\u00fcrich \u2014 Caf\u00e9"
    assert feed.entries[0].title == "\u00d6ffnung\u2026"


def test_utf8_bytes_with_a_latin1_prolog_are_read_as_utf8() -> None:
    body = _rss("Z\u00fcrich", "<title>x</title>").replace(b"utf-8", b"ISO-8859-1")
    assert parse_feed(body, url=URL).title == "Z\u00fcrich"


def test_real_latin1_bytes_with_a_latin1_charset_stay_latin1() -> None:
    body = _rss("Z\u00fcrich", "<title>Caf\u00e9</title>").decode().encode("latin-1")
    feed = parse_feed(body, url=URL, content_type="text/xml; charset=iso-8859-1")
    assert feed.title == "Z\u00fcrich"
    assert feed.entries[0].title == "Caf\u00e9"


def test_a_huge_number_anywhere_in_a_json_feed_is_a_value() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "items": [], "x": 1' + b"0" * 10_000 + b"}"
    )
    assert parse_feed(body, url=URL).entries == ()
