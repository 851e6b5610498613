"""Item and subscription JSON under the schemas of the clients' decoders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from api.greader.schemas import ITEM, SUBSCRIPTION
from tidings.aggregator.sync import Subscription
from tidings.api.greader.ids import parse_item_id, parse_stream
from tidings.api.greader.items import item_json, subscription_json
from tidings.model import Enclosure, Entry, EntryId, FeedId

SEEN = datetime(2026, 11, 20, 8, 30, 15, 250000, tzinfo=UTC)


def _entry(**kw: object) -> Entry:
    data: dict[str, object] = dict(
        id=EntryId(0x2F2),
        feed_id=FeedId(7),
        feed_url="https://news.example/feed",
        feed_title="News & Views",
        category="World",
        guid="g",
        title="A <b> & c",
        link="https://news.example/1",
        author=None,
        published=SEEN - timedelta(hours=2),
        updated=None,
        summary="<p>Lead.</p>",
        content=None,
        categories=(),
        enclosures=(),
        image=None,
        comments=None,
        first_seen=SEEN,
    )
    data.update(kw)
    return Entry(**data)  # type: ignore[arg-type]


def test_an_item_is_what_every_decoder_needs() -> None:
    item = item_json(
        _entry(read=True, starred=True, tags=("later",)), site_url="https://news.example/"
    )
    jsonschema.validate(item, ITEM)
    assert parse_item_id(item["id"]) == 0x2F2
    assert item["crawlTimeMsec"] == str(int(SEEN.timestamp() * 1000))
    assert item["timestampUsec"] == item["crawlTimeMsec"] + "000"
    assert item["published"] == int((SEEN - timedelta(hours=2)).timestamp())
    assert item["title"] == "A <b> & c"  # plain text, as stored
    assert item["summary"]["content"] == "<p>Lead.</p>"
    assert parse_stream(item["origin"]["streamId"]).feed_id == 7
    assert item["categories"] == [
        "user/-/state/com.google/reading-list",
        "user/-/label/World",
        "user/-/label/later",
        "user/-/state/com.google/read",
        "user/-/state/com.google/starred",
    ]


@pytest.mark.parametrize(
    "kw",
    [
        dict(title=None, link=None, summary=None, feed_title=None, category=None),
        dict(published=None, content="<p>Full text.</p>", author="Desk"),
        dict(enclosures=(Enclosure(url="https://cdn.example/a.mp3", type=None, length=None),)),
    ],
)
def test_a_sparse_entry_still_decodes(kw: dict[str, object]) -> None:
    item = item_json(_entry(**kw))
    jsonschema.validate(item, ITEM)
    assert item["canonical"][0]["href"]  # Fluent calls .split on it


def test_a_subscription_is_what_every_decoder_needs() -> None:
    url = "https://news.example/feed"
    plain = Subscription(FeedId(7), url, url, None, None, None, 0)
    for feed in (plain, replace(plain, category="World")):
        sub = subscription_json(feed)
        jsonschema.validate(sub, SUBSCRIPTION)
        assert sub["id"] == "feed/7" and sub["title"] == "https://news.example/feed"
        assert sub["htmlUrl"] == ""
    sub = subscription_json(replace(plain, category="World"), icon_url="https://t.example/i/7")
    assert sub["categories"] == [{"id": "user/-/label/World", "label": "World"}]
    jsonschema.validate(sub, SUBSCRIPTION)
