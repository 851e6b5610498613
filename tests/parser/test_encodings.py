"""Broken-but-common XML: encodings, entities, leading junk."""

from __future__ import annotations

import codecs

import pytest

from tidings.parser import parse_feed

URL = "https://example.com/feed"


def _rss(title: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f"{prolog}<rss version='2.0'><channel><title>{title}</title></channel></rss>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (_rss("caf\u00e9").encode(), None, "caf\u00e9"),
        (codecs.BOM_UTF8 + _rss("caf\u00e9").encode(), None, "caf\u00e9"),
        (codecs.BOM_UTF16_LE + _rss("caf\u00e9").encode("utf-16-le"), None, "caf\u00e9"),
        (
            _rss("caf\u00e9", "<?xml version='1.0' encoding='utf-16'?>").encode("utf-16"),
            None,
            "caf\u00e9",
        ),
        (
            _rss("caf\u00e9", "<?xml version='1.0' encoding='iso-8859-1'?>").encode("latin-1"),
            None,
            "caf\u00e9",
        ),
        # The HTTP charset outranks the prolog.
        (
            _rss("caf\u00e9", "<?xml version='1.0' encoding='utf-8'?>").encode("cp1252"),
            "text/xml; charset=windows-1252",
            "caf\u00e9",
        ),
        # cp1252 labelled UTF-8, no multi-byte sequence at all: read as cp1252.
        (_rss("\u201ccaf\u00e9\u201d").encode("cp1252"), None, "\u201ccaf\u00e9\u201d"),
        # Declares UTF-16 but is ASCII-compatible.
        (_rss("plain", "<?xml version='1.0' encoding='utf-16'?>").encode(), None, "plain"),
        (_rss("x", "<?xml version='1.0' encoding='bogus-enc'?>").encode(), None, "x"),
        (b"\n\n  " + _rss("leading space").encode(), None, "leading space"),
    ],
)
def test_encodings(body: bytes, content_type: str | None, expected: str) -> None:
    assert parse_feed(body, url=URL, content_type=content_type).title == expected


def test_invalid_utf8_gets_replacement_characters() -> None:
    body = _rss("caf\u00e9 X").encode().replace(b"X", b"\xff\xfe\xfa")
    title = parse_feed(body, url=URL).title
    assert title is not None and title.startswith("caf\u00e9 ") and "\ufffd" in title


def test_html_entities_and_bare_ampersands() -> None:
    body = b"<rss><channel><title>a&nbsp;b &copy; AT&T &amp; Q&A &#233;</title></channel></rss>"
    assert parse_feed(body, url=URL).title == "a b \u00a9 AT&T & Q&A \u00e9"


def test_entities_in_html_fields() -> None:
    body = b"""<rss><channel><item><guid>1</guid>
      <description>&lt;p&gt;caf&eacute; &amp; &hellip;&lt;/p&gt;</description></item></channel></rss>"""
    summary = parse_feed(body, url=URL).entries[0].summary
    assert summary == "<p>caf\u00e9 &amp; \u2026</p>"


def test_xxe_is_not_expanded(tmp_path: pytest.TempPathFactory) -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>
<rss><channel><title>a&xxe;b&lol;</title></channel></rss>"""
    title = parse_feed(body, url=URL).title or ""
    assert "root:" not in title


def test_billion_laughs_is_bounded() -> None:
    ents = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{ents}]>'
        "<rss><channel><title>&l9;</title></channel></rss>"
    ).encode()
    try:
        title = parse_feed(body, url=URL).title or ""
    except Exception as exc:  # ParseError is fine too
        assert type(exc).__name__ == "ParseError"
    else:
        assert len(title) < 10000


def test_feed_wrapped_in_xhtml() -> None:
    body = b"""<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>
      <feed xmlns="http://www.w3.org/2005/Atom"><title>inner</title></feed></body></html>"""
    assert parse_feed(body, url=URL).title == "inner"


def test_deep_xml_nesting_is_refused_or_bounded() -> None:
    body = b"<rss><channel><title>t</title>" + b"<x>" * 5000 + b"</x>" * 5000 + b"</channel></rss>"
    try:
        feed = parse_feed(body, url=URL)
    except Exception as exc:
        assert type(exc).__name__ == "ParseError"
    else:
        assert feed.title == "t"


def test_many_entries_are_capped() -> None:
    items = b"".join(b"<item><guid>%d</guid><title>t</title></item>" % i for i in range(20_000))
    feed = parse_feed(b"<rss><channel>" + items + b"</channel></rss>", url=URL, max_entries=1000)
    assert len(feed.entries) == 1000 and feed.entries[-1].id == "999"


def test_huge_title_is_cut() -> None:
    body = b"<rss><channel><title>" + b"long " * 100_000 + b"</title></channel></rss>"
    title = parse_feed(body, url=URL).title
    assert title is not None and len(title) <= 2000
