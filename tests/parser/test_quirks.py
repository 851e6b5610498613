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
