"""Fever ``favicons`` (#12): the stored icons of the user's feeds as Fever's
``image/...;base64,...`` data, each under its feed's id, which is that feed's
``favicon_id``; a feed without a stored image has ``favicon_id`` 0."""

from __future__ import annotations

import base64
import struct
import zlib

import jsonschema

from api.fever.clients import Wire
from api.fever.conftest import NOW, Replay, fever_key
from api.fever.schemas import FAVICON


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
GIF = (  # a real 1x1 transparent GIF
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _sync(replay: Replay, name: str) -> tuple[dict[int, str], dict[int, int]]:
    """What a client gets: favicon id -> data, and feed id -> favicon_id."""
    wire, key = Wire(replay.server.port), {"api_key": fever_key(name)}
    body = wire.send("POST", "/fever/?api&favicons&feeds", key, check=("favicons", "feeds")).body
    for favicon in body["favicons"]:
        jsonschema.validate(favicon, FAVICON)
    favicons = {f["id"]: f["data"] for f in body["favicons"]}
    assert len(favicons) == len(body["favicons"])  # one favicon per id
    # the same answer whether asked for alone
    alone = wire.send("POST", "/fever/?api&favicons", key, check=("favicons",)).body
    assert alone["favicons"] == body["favicons"]
    return favicons, {f["id"]: f["favicon_id"] for f in body["feeds"]}


def test_stored_icons_are_favicons_under_their_feeds_ids(replay: Replay) -> None:
    store, feeds = replay.agg.store, replay.feeds
    store.set_icon(feeds["news"], now=NOW, data=PNG, content_type="image/png")  # ana's and bob's
    store.set_icon(feeds["tech"], now=NOW, data=GIF, content_type="image/gif")
    store.set_icon(feeds["loose"], now=NOW, error="HTTP 404")  # tried, no image
    store.set_icon(feeds["bobs"], now=NOW, data=GIF, content_type="image/gif")  # bob's only

    favicons, favicon_ids = _sync(replay, "ana")
    assert favicons == {
        feeds["news"]: "image/png;base64," + base64.b64encode(PNG).decode(),
        feeds["tech"]: "image/gif;base64," + base64.b64encode(GIF).decode(),
    }
    assert base64.b64decode(favicons[feeds["news"]].split(",", 1)[1]) == PNG
    assert favicon_ids == {
        feeds["news"]: feeds["news"],
        feeds["tech"]: feeds["tech"],
        feeds["loose"]: 0,  # a failed try
        feeds["nolink"]: 0,  # never tried
    }
    assert 0 not in favicons

    # bob sees the shared feed's icon and his own, never ana's tech feed's
    bob_favicons, bob_ids = _sync(replay, "bob")
    assert set(bob_favicons) == {feeds["news"], feeds["bobs"]}
    assert bob_ids == {feeds["news"]: feeds["news"], feeds["bobs"]: feeds["bobs"]}


def test_an_icon_of_a_type_the_icon_step_never_stores_is_not_sent(replay: Replay) -> None:
    store, feeds = replay.agg.store, replay.feeds
    store.set_icon(feeds["news"], now=NOW, data=b"<svg/>", content_type="image/svg+xml")
    store.set_icon(feeds["tech"], now=NOW, data=b"<p>", content_type="text/html")
    store.set_icon(feeds["loose"], now=NOW, data=PNG, content_type="image/png")
    favicons, favicon_ids = _sync(replay, "ana")
    assert set(favicons) == {feeds["loose"]}
    assert favicon_ids[feeds["news"]] == favicon_ids[feeds["tech"]] == 0
    assert favicon_ids[feeds["loose"]] == feeds["loose"]


def test_a_feed_the_user_left_keeps_no_favicon(replay: Replay) -> None:
    store, feeds = replay.agg.store, replay.feeds
    store.set_icon(feeds["news"], now=NOW, data=PNG, content_type="image/png")
    store.remove_feed(replay.ana.id, "https://news.example/feed")  # bob still follows it
    favicons, favicon_ids = _sync(replay, "ana")
    assert favicons == {} and feeds["news"] not in favicon_ids
    assert set(_sync(replay, "bob")[0]) == {feeds["news"]}
