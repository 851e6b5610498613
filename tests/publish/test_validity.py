"""Every output is valid for its format and reads back, item for item, in feedparser,
fastfeedparser and Tidings' own parser (#14)."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import fastfeedparser
import feedparser
import jsonschema
import pytest
from lxml import etree

from publish.build import CHANNEL, FORMATS, ORIGINS, T0, blocks, entries, load_json, seed_entry
from tidings.model import FeedId
from tidings.parser import parse_feed
from tidings.publish import Format, Origin, render

HERE = Path(__file__).parent
ATOM = "{http://www.w3.org/2005/Atom}"


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(HERE / "atom.rng")))


@cache
def json_feed_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads((HERE / "jsonfeed-1.1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def assert_valid_atom(body: bytes) -> None:
    schema = atom_schema()
    assert schema.validate(etree.fromstring(body)), schema.error_log


def assert_valid_json_feed(body: bytes) -> dict[str, Any]:
    doc = load_json(body)
    errors = [e.message for e in json_feed_schema().iter_errors(doc)]
    assert not errors, errors
    return doc


# Channels and items with and without each optional part.
CHANNELS = [
    CHANNEL,
    replace(
        CHANNEL,
        hub_url="https://hub.example/",
        next_url="https://reader.example/p/t0ken/category/World.atom?before=x",
        full_text=False,
        description=None,
    ),
]
SAMPLES = [
    [],
    [seed_entry()],
    entries(7),
    [
        seed_entry(
            title=None,
            author=None,
            lead=None,
            content=None,
            summary=None,
            categories=(),
            tags=(),
            enclosures=(),
            main_image=None,
            language="not a language tag",
            link=None,
            published=None,
            updated=None,
            source=None,
            section=None,
            feed_id=FeedId(99),  # no origin given: credited with what the entry says
        )
    ],
]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_atom_validates_against_the_rfc_4287_schema(channel: Any, sample: Any) -> None:
    assert_valid_atom(render(channel, sample, ORIGINS, "atom"))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_json_feed_validates_against_the_1_1_schema(channel: Any, sample: Any) -> None:
    assert_valid_json_feed(render(channel, sample, ORIGINS, "json"))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_rss_is_well_formed_and_credits_every_source(channel: Any, sample: Any) -> None:
    root = etree.fromstring(render(channel, sample, ORIGINS, "rss"))
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == len(sample)
    for item in items:
        (source,) = item.findall("source")
        assert source.get("url") and source.text


def test_the_schemas_can_fail() -> None:
    """The schemas are not so loose that anything passes."""
    atom = atom_schema()
    good = etree.fromstring(render(CHANNEL, [seed_entry()], ORIGINS, "atom"))
    assert atom.validate(good)
    for path in (f"{ATOM}id", f"{ATOM}entry/{ATOM}updated"):
        broken = etree.fromstring(etree.tostring(good))
        gone = broken.find(path)
        assert gone is not None
        gone.getparent().remove(gone)  # type: ignore[union-attr]
        assert not atom.validate(broken), path
    bad_date = etree.fromstring(etree.tostring(good))
    bad_date.find(f"{ATOM}updated").text = "yesterday"  # type: ignore[union-attr]
    assert not atom.validate(bad_date)
    unknown = etree.fromstring(etree.tostring(good))
    etree.SubElement(unknown.find(f"{ATOM}entry"), f"{ATOM}unknown")  # type: ignore[arg-type]
    assert not atom.validate(unknown)  # only foreign elements extend Atom

    validator = json_feed_schema()
    doc = load_json(render(CHANNEL, [seed_entry()], ORIGINS, "json"))
    assert validator.is_valid(doc)
    for broken_doc in (
        {**doc, "version": "https://jsonfeed.org/version/1"},
        {**doc, "items": [{k: v for k, v in doc["items"][0].items() if k != "content_html"}]},
        {**doc, "items": [{**doc["items"][0], "id": 7}]},
        {**doc, "items": [{**doc["items"][0], "attachments": [{"url": "https://x.example/"}]}]},
        {**doc, "items": [{**doc["items"][0], "source": {}}]},  # an extension needs its "_"
        {**doc, "items": [{**doc["items"][0], "date_published": "Fri, 20 Nov 2026"}]},
    ):
        assert not validator.is_valid(broken_doc)


def _same_items(fmt: Format) -> tuple[bytes, list[tuple[str, str, str]]]:
    sent = [*entries(6), seed_entry(guid="not a uri")]
    body = render(CHANNEL, sent, ORIGINS, fmt)
    ours = parse_feed(body, url=CHANNEL.self_url).entries
    assert len(ours) == len(sent)
    return body, [(e.id, e.title or "", e.link or "") for e in ours]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fastfeedparser_reads_the_same_items(fmt: Format) -> None:
    body, ours = _same_items(fmt)
    theirs = fastfeedparser.parse(body)["entries"]
    assert [(e["id"], e["title"], e["link"]) for e in theirs] == ours
    assert all(e["author"] == "Ada Reporter" for e in theirs)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feedparser_reads_the_same_items(fmt: Format) -> None:
    body, ours = _same_items(fmt)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [(e.id, e.title, e.link) for e in parsed.entries] == ours
    for e in parsed.entries:
        assert e.source.title == "Fixture Times"
        assert e.source.get("href", e.source.get("id")) == "https://news.example/feed.xml"
        assert e.author == "Ada Reporter"
        credit, links = blocks(e.content[0].value)[-1]
        assert credit == "Source: Fixture Times — Russia & Former Soviet Union"
        assert links == [e.link]


def test_json_feed_reads_the_same_items_as_plain_json() -> None:
    # feedparser 6.0.14 reads no JSON Feed: compare our parser with the document itself
    body, ours = _same_items("json")
    doc = load_json(body)
    assert [(i["id"], i["title"], i["url"]) for i in doc["items"]] == ours


def test_channel_links_self_hub_and_next() -> None:
    channel = CHANNELS[1]
    atom = etree.fromstring(render(channel, [], ORIGINS, "atom"))
    links = {el.get("rel"): el.get("href") for el in atom.iterfind(f"{ATOM}link")}
    assert links == {
        "self": channel.self_url,
        "alternate": channel.home_url,
        "hub": channel.hub_url,
        "next": channel.next_url,
    }
    assert atom.findtext(f"{ATOM}id") == channel.id
    rss = etree.fromstring(render(channel, [], ORIGINS, "rss"))
    rss_links = {el.get("rel"): el.get("href") for el in rss.iterfind(f"channel/{ATOM}link")}
    assert rss_links == {"self": channel.self_url, "hub": channel.hub_url, "next": channel.next_url}
    doc = load_json(render(channel, [], ORIGINS, "json"))
    assert (doc["feed_url"], doc["home_page_url"], doc["next_url"]) == (
        channel.self_url,
        channel.home_url,
        channel.next_url,
    )
    assert doc["hubs"] == [{"type": "WebSub", "url": channel.hub_url}]
    fp = feedparser.parse(render(channel, [], ORIGINS, "atom"))
    assert {link.rel: link.href for link in fp.feed.links}["self"] == channel.self_url


def test_atom_source_carries_the_origins_id_title_link_and_updated() -> None:
    root = etree.fromstring(render(CHANNEL, [seed_entry()], ORIGINS, "atom"))
    source = root.find(f"{ATOM}entry/{ATOM}source")
    assert source is not None
    assert source.findtext(f"{ATOM}id") == "https://news.example/feed.xml"
    assert source.findtext(f"{ATOM}title") == "Fixture Times"
    links = {el.get("rel"): el.get("href") for el in source.iterfind(f"{ATOM}link")}
    assert links == {"alternate": "https://news.example/", "self": "https://news.example/feed.xml"}
    assert source.findtext(f"{ATOM}updated") == "2026-11-20T11:55:00Z"


def test_ids_are_stable_and_distinct() -> None:
    """The guid when it is a URI; else a UUID of feed and guid, the same every time."""
    a = seed_entry(guid="/article/0")
    b = seed_entry(guid="/article/0", feed_id=FeedId(2), feed_url="https://other.example/f")
    origins = {
        **ORIGINS,
        FeedId(2): Origin(FeedId(2), "https://other.example/f", "Other", None, T0),
    }
    first = load_json(render(CHANNEL, [a, b], origins, "json"))["items"]
    again = load_json(render(replace(CHANNEL, title="x"), [a, b], origins, "json"))["items"]
    ids = [i["id"] for i in first]
    assert ids == [i["id"] for i in again]
    assert ids[0] != ids[1] and all(i.startswith("urn:uuid:") for i in ids)
    uri = load_json(render(CHANNEL, [seed_entry(guid="tag:x.example,2026:1")], ORIGINS, "json"))
    assert uri["items"][0]["id"] == "tag:x.example,2026:1"
