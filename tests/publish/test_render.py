"""publish.render: each format, read back by Tidings' own parser (#14)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from publish.build import (
    CHANNEL,
    FORMATS,
    ORIGIN,
    ORIGINS,
    SEED_LEAD,
    blocks,
    entries,
    load_json,
    seed_entry,
)
from tidings.model import Duplicate, EntryId
from tidings.parser import parse_feed
from tidings.publish import MEDIA_TYPES, Format, build_item, render

CLEAN_LINK = "https://news.example/article/0"


@pytest.mark.parametrize("fmt", FORMATS)
def test_our_parser_reads_back_the_same_items(fmt: Format) -> None:
    sent = entries(5)
    body = render(CHANNEL, sent, ORIGINS, fmt)
    feed = parse_feed(body, url=CHANNEL.self_url)
    assert feed.title == CHANNEL.title
    assert [e.title for e in feed.entries] == [e.title for e in sent]
    assert [e.link for e in feed.entries] == [f"https://news.example/article/{i}" for i in range(5)]
    assert [e.id for e in feed.entries] == [e.guid for e in sent]
    assert [e.published for e in feed.entries] == [e.published for e in sent]
    assert all(e.author == "Ada Reporter" for e in feed.entries)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_seed_story_keeps_headline_section_lead_text_and_source_link(fmt: Format) -> None:
    body = render(CHANNEL, [seed_entry()], ORIGINS, fmt)
    (item,) = parse_feed(body, url=CHANNEL.self_url).entries
    assert item.title == "The harbour story 0"
    assert item.link == CLEAN_LINK  # tracking parameters stripped
    shown = blocks(item.content)
    assert shown[0] == (SEED_LEAD, [])  # the lead, once: the text opens with it
    assert shown[1][0].startswith("Paragraph 1 on the harbour")  # the text
    # the credit, at the end: "Source: <name> — <section>", linking the original
    assert shown[-1] == ("Source: Fixture Times — Russia & Former Soviet Union", [CLEAN_LINK])
    assert "Russia & Former Soviet Union" in item.categories
    assert "ports" in item.categories  # a user's tag
    assert item.image == "https://img.example/harbour-0.jpg"
    assert [e.url for e in item.enclosures] == ["https://news.example/a0.mp3"]
    if fmt != "json":  # JSON Feed has no comments field
        assert item.comments == "https://news.example/article/0#comments"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_issues_own_seed_credits_readnow_and_its_section(fmt: Format) -> None:
    entry = seed_entry(source="ReadNOW", feed_title="ReadNOW")
    (item,) = parse_feed(render(CHANNEL, [entry], ORIGINS, fmt), url=CHANNEL.self_url).entries
    assert blocks(item.content)[-1] == (
        "Source: ReadNOW — Russia & Former Soviet Union",
        [CLEAN_LINK],
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_lead_opens_the_text_unless_the_text_opens_with_it(fmt: Format) -> None:
    other = seed_entry(lead="A lead the text does not repeat.")
    (item,) = parse_feed(render(CHANNEL, [other], ORIGINS, fmt), url=CHANNEL.self_url).entries
    shown = blocks(item.content)
    assert shown[0] == ("A lead the text does not repeat.", [])
    assert shown[1] == (SEED_LEAD, [])
    # the text opens with it, with inline markup, other spacing and punctuation: once
    inline = seed_entry(
        lead="Storms hit the coast — hard — today, the council said.",
        content="<p>\n  Storms <b>hit</b> the coast, hard, to<i>day</i>: the council said.</p><p>B</p>",
    )
    (item,) = parse_feed(render(CHANNEL, [inline], ORIGINS, fmt), url="https://x/").entries
    assert [t for t, _ in blocks(item.content)][:2] == [
        "Storms hit the coast, hard, today: the council said.",
        "B",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_excerpt_publications_carry_the_lead_and_the_link_only(fmt: Format) -> None:
    channel = replace(CHANNEL, full_text=False)
    body = render(channel, [seed_entry()], ORIGINS, fmt)
    assert b"Paragraph 1 on the harbour" not in body
    (item,) = parse_feed(body, url=CHANNEL.self_url).entries
    shown = blocks(item.content or item.summary)
    assert shown == [
        (SEED_LEAD, []),
        ("Source: Fixture Times — Russia & Former Soviet Union", [CLEAN_LINK]),
    ]
    assert item.link == CLEAN_LINK


def test_rss_carries_the_excerpt_in_description_and_the_whole_in_content_encoded() -> None:
    encoded = "{http://purl.org/rss/1.0/modules/content/}encoded"
    full = etree.fromstring(render(CHANNEL, [seed_entry()], ORIGINS, "rss")).find("channel/item")
    assert full is not None
    assert [t for t, _ in blocks(full.findtext("description"))] == [
        SEED_LEAD,
        "Source: Fixture Times — Russia & Former Soviet Union",
    ]
    assert "Paragraph 1 on the harbour" in (full.findtext(encoded) or "")
    channel = replace(CHANNEL, full_text=False)
    short = etree.fromstring(render(channel, [seed_entry()], ORIGINS, "rss")).find("channel/item")
    assert short is not None and short.find(encoded) is None


def test_a_public_page_shows_the_item_a_feed_carries() -> None:
    item = build_item(seed_entry(), ORIGIN, full_text=True)
    assert (item.title, item.credit, item.link) == (
        "The harbour story 0",
        "Fixture Times — Russia & Former Soviet Union",
        CLEAN_LINK,
    )
    assert item.lead == SEED_LEAD and item.text is not None and "Paragraph 1" in item.text
    assert build_item(seed_entry(), ORIGIN, full_text=False).text is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_story_several_sources_carried_names_the_others(fmt: Format) -> None:
    entry = seed_entry(
        duplicates=(
            Duplicate(EntryId(8), "Wire Service", "https://wire.example/8?utm_source=x"),
            Duplicate(EntryId(9), None, None),
        )
    )
    (item,) = parse_feed(render(CHANNEL, [entry], ORIGINS, fmt), url="https://x/").entries
    assert blocks(item.content)[-2] == (
        "Also reported by: Wire Service, another feed",
        ["https://wire.example/8"],
    )


def test_rss_credits_the_source_with_its_feed_url() -> None:
    root = etree.fromstring(render(CHANNEL, [seed_entry()], ORIGINS, "rss"))
    (source,) = root.iterfind("channel/item/source")
    assert source.get("url") == ORIGIN.feed_url
    assert source.text == ORIGIN.title


def test_json_feed_credits_the_source_in_an_extension() -> None:
    doc = load_json(render(CHANNEL, [seed_entry()], ORIGINS, "json"))
    assert doc["items"][0]["_source"] == {
        "title": "Fixture Times",
        "home_page_url": "https://news.example/",
        "feed_url": "https://news.example/feed.xml",
    }


def test_media_types_and_unknown_format() -> None:
    assert set(MEDIA_TYPES) == set(FORMATS)
    with pytest.raises(ValueError, match="unknown feed format"):
        render(CHANNEL, [], ORIGINS, "html")  # type: ignore[arg-type]
