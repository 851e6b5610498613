"""Hostile text in, well-formed XML and valid JSON out: markup stays text, characters
XML cannot carry are dropped, "]]>" needs no care (#14)."""

from __future__ import annotations

from dataclasses import replace

import fastfeedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publish.build import CHANNEL, FORMATS, ORIGINS, blocks, load_json, seed_entry
from publish.test_validity import assert_valid_atom, assert_valid_json_feed
from tidings.content.source import source_line as readers_source_line
from tidings.model import Duplicate, Entry, EntryId, FeedId
from tidings.parser import parse_feed
from tidings.publish import Format, Origin, render
from tidings.publish.items import UNTITLED, source_line, xml_chars

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\x85", "\ud800",
    "\udfff", "\ufffe", "\uffff", "]]>", "<![CDATA[", "<", ">", "&", "&amp;", '"', "'",
    "<script>alert(1)</script>", "</title>", "<!--", "\u2028", "\U0001f600", "\t", "\r\n",
]  # fmt: skip
hostile = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=5)), max_size=8).map("".join)


def shown_title(raw: str | None) -> str:
    return " ".join((xml_chars(raw or "").strip() or UNTITLED).split())


@st.composite
def hostile_entries(draw: st.DrawFn) -> Entry:
    return seed_entry(
        title=draw(hostile),
        author=draw(st.none() | hostile),
        lead=draw(st.none() | hostile),
        content=draw(st.none() | hostile),
        summary=draw(st.none() | hostile),
        categories=tuple(draw(st.lists(hostile, max_size=3))),
        tags=tuple(draw(st.lists(hostile, max_size=2))),
        source=draw(st.none() | hostile),
        section=draw(st.none() | hostile),
        feed_title=draw(st.none() | hostile),
        guid=draw(hostile),
        language=draw(st.none() | hostile),
        link=draw(st.none() | st.just("https://x.example/a?q=<\"'>&utm_source=\x00")),
        duplicates=tuple(
            Duplicate(EntryId(i), draw(st.none() | hostile), 'https://x.example/\x01"')
            for i in range(draw(st.integers(0, 2)))
        ),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entry=hostile_entries(),
    channel_title=hostile,
    origin_title=hostile,
    fmt=st.sampled_from(FORMATS),
)
def test_hostile_text_comes_out_escaped_and_valid(
    entry: Entry, channel_title: str, origin_title: str, fmt: Format
) -> None:
    channel = replace(CHANNEL, title=channel_title, description=channel_title)
    origins = {entry.feed_id: replace(ORIGINS[FeedId(1)], title=origin_title)}
    body = render(channel, [entry], origins, fmt)
    body.decode("utf-8")  # strict: no lone surrogate got through
    if fmt == "json":
        doc = assert_valid_json_feed(body)
        (item,) = doc["items"]
        assert item["title"] == shown_title(entry.title)
        blocks(item["content_html"])
    else:
        root = etree.fromstring(body)  # well-formed, or this raises
        if fmt == "atom":
            assert_valid_atom(body)
            title = root.findtext(f"{ATOM}entry/{ATOM}title")
        else:
            title = root.findtext("channel/item/title")
        assert title == shown_title(entry.title)  # markup in a title is text
    assert len(parse_feed(body, url=CHANNEL.self_url).entries) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_cdata_end_and_markup_in_the_text_survive(fmt: Format) -> None:
    entry = seed_entry(
        title="<b>Bold</b> & ]]> done",
        content="<p>a ]]> b &lt;tag&gt;</p><p>c]]></p>",
        author="Ann <ann@example.org>",
    )
    body = render(CHANNEL, [entry], ORIGINS, fmt)
    if fmt == "json":
        item = load_json(body)["items"][0]
        title, text = item["title"], item["content_html"]
    else:
        root = etree.fromstring(body)
        if fmt == "atom":
            title = root.findtext(f"{ATOM}entry/{ATOM}title") or ""
            text = root.findtext(f"{ATOM}entry/{ATOM}content") or ""
        else:
            title = root.findtext("channel/item/title") or ""
            text = root.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
            text = text or ""
    assert title == "<b>Bold</b> & ]]> done"
    assert "<p>a ]]> b &lt;tag&gt;</p><p>c]]></p>" in text
    assert fastfeedparser.parse(body)["entries"][0]["title"] == "<b>Bold</b> & ]]> done"
    (parsed,) = parse_feed(body, url=CHANNEL.self_url).entries
    # Tidings' parser keeps an Atom type="text" title as is; RSS and JSON Feed titles it
    # reads as a title that may carry markup (feeds do put HTML there) and drops the tags.
    expected = "<b>Bold</b> & ]]> done" if fmt == "atom" else "Bold & ]]> done"
    assert parsed.title == expected
    assert parsed.author is not None and parsed.author.startswith("Ann")


@settings(max_examples=200, deadline=None)
@given(
    source=st.none() | st.sampled_from(["RT", "Fixture Times"]),
    section=st.none() | st.sampled_from(["World", "Russia & Former Soviet Union"]),
    feed_title=st.none() | st.sampled_from(["RT - World", "Fixture"]),
    categories=st.lists(st.sampled_from(["Politics", "Europe"]), max_size=2),
    category=st.none() | st.sampled_from(["News"]),
)
def test_the_credit_names_the_source_as_the_reader_does(
    source: str | None,
    section: str | None,
    feed_title: str | None,
    categories: list[str],
    category: str | None,
) -> None:
    entry = seed_entry(
        source=source,
        section=section,
        feed_title=feed_title,
        categories=tuple(categories),
        category=category,
    )
    assert source_line(entry, "") == readers_source_line(entry)


def test_an_entry_without_an_origin_is_credited_with_its_own_feed() -> None:
    entry = seed_entry(feed_id=FeedId(42), feed_title="Own Feed", source=None, section=None)
    root = etree.fromstring(render(CHANNEL, [entry], {}, "rss"))
    source = root.find("channel/item/source")
    assert source is not None
    assert (source.get("url"), source.text) == (entry.feed_url, "Own Feed")
    other = Origin(FeedId(42), "https://elsewhere.example/f", "Named", None, None)
    root = etree.fromstring(render(CHANNEL, [entry], {FeedId(42): other}, "rss"))
    source = root.find("channel/item/source")
    assert source is not None
    assert (source.get("url"), source.text) == ("https://elsewhere.example/f", "Named")


_any_char = st.one_of(
    st.characters(codec=None, exclude_categories=()),  # surrogates included
    st.sampled_from(["\x00", "\x1f", "\ufffe", "\uffff", "\ud800", "\U0010ffff", "é", "\t"]),
)


@settings(max_examples=500)
@given(st.lists(_any_char, max_size=30).map("".join))
def test_the_fast_character_check_agrees_with_the_xml_char_production(text: str) -> None:
    cleaned = xml_chars(text)
    assert cleaned == "".join(c for c in text if _is_xml_char(c))
    cleaned.encode("utf-8")
    etree.fromstring(b"<a/>").text = cleaned  # lxml accepts it


def _is_xml_char(c: str) -> bool:
    n = ord(c)
    return (
        n in (0x9, 0xA, 0xD)
        or 0x20 <= n <= 0xD7FF
        or 0xE000 <= n <= 0xFFFD
        or 0x10000 <= n <= 0x10FFFF
    )
