"""Entries, origins and channels to publish, and the three readers of the result."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import html

from tidings.model import Duplicate, Enclosure, Entry, EntryId, FeedId
from tidings.publish import Channel, Format, Origin

FORMATS: tuple[Format, ...] = ("rss", "atom", "json")
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

CHANNEL = Channel(
    title="World — Tidings",
    self_url="https://reader.example/p/t0ken/category/World.atom",
    home_url="https://reader.example/category/World",
    id="tag:reader.example,2026:publication/1",
    updated=T0,
    description="The World category",
)

ORIGIN = Origin(
    feed_id=FeedId(1),
    feed_url="https://news.example/feed.xml",
    title="Fixture Times",
    site_url="https://news.example/",
    updated=T0 - timedelta(minutes=5),
)
ORIGINS = {ORIGIN.feed_id: ORIGIN}

SEED_LEAD = (
    "The harbour authority approved a new breakwater after a decade of storms, officials "
    "said on Tuesday in a statement about story 0."
)
SEED_TEXT = (
    f"<p>{SEED_LEAD}</p><p>Paragraph 1 on the harbour: council residents engineers budget.</p>"
)


def seed_entry(**changes: Any) -> Entry:
    """The seed story as Tidings shows it: "Fixture Times — Russia & Former Soviet Union",
    its lead, its full text and a source link (tests/story/test_fulltext_cli.py)."""
    entry = Entry(
        id=EntryId(7),
        feed_id=FeedId(1),
        feed_url="https://news.example/feed.xml",
        feed_title="Fixture Times - World",
        category="World",
        guid="/article/0",
        title="The harbour story 0",
        link="https://news.example/article/0?utm_source=rss&utm_medium=feed&fbclid=abc",
        author="Ada Reporter",
        published=T0 - timedelta(hours=1),
        updated=T0 - timedelta(minutes=30),
        summary="<p>The harbour authority approved a new breakwater after a decade of storms…</p>",
        content=SEED_TEXT,
        categories=("Russia & Former Soviet Union",),
        enclosures=(Enclosure("https://news.example/a0.mp3", "audio/mpeg", 1234),),
        image=None,
        comments="https://news.example/article/0?utm_source=rss#comments",
        first_seen=T0,
        lead=SEED_LEAD,
        word_count=320,
        main_image="https://img.example/harbour-0.jpg",
        language="en-gb",
        source="Fixture Times",
        section="Russia & Former Soviet Union",
        full_text=True,
        tags=("ports",),
    )
    return replace(entry, **changes)


def entries(n: int) -> list[Entry]:
    """``n`` distinct stories, newest first."""
    return [
        seed_entry(
            id=EntryId(100 + i),
            guid=f"https://news.example/article/{i}",
            title=f"Story {i}",
            link=f"https://news.example/article/{i}?utm_campaign=x",
            published=T0 - timedelta(minutes=i),
            updated=None,
            duplicates=(Duplicate(EntryId(9000 + i), "Wire Service", f"https://wire.example/{i}"),)
            if i % 3 == 0
            else (),
        )
        for i in range(n)
    ]


def blocks(fragment: str | None) -> list[tuple[str, list[str]]]:
    """The paragraphs of an HTML fragment: each one's text and the links in it."""
    root = html.fragment_fromstring(fragment or "", create_parent="div")
    return [
        (" ".join(p.text_content().split()), [a.get("href") or "" for a in p.iter("a")])
        for p in root.iter("p")
    ]


def load_json(body: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(body.decode("utf-8"))
    return doc
