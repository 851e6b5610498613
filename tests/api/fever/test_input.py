"""Fever requests in every shape clients send, and bad ones: a 400 with a message
(never a 500, never a partial write), or ignored where the spec says so (§2, §4)."""

from __future__ import annotations

import http.client

import jsonschema
import pytest

from api.fever.clients import Wire
from api.fever.conftest import API_PASSWORD, Replay, fever_key
from api.fever.schemas import BASE, schema_for
from tidings.api.fever import PATHS


def _wire(replay: Replay) -> tuple[Wire, dict[str, str]]:
    return Wire(replay.server.port), {"api_key": fever_key("ana")}


@pytest.mark.parametrize("path", PATHS)
def test_every_path_and_both_blank_forms(replay: Replay, path: str) -> None:
    wire, key = _wire(replay)
    for query in ("api&groups", "api=&groups"):  # Fluent, Read You
        answer = wire.send("POST", f"{path}?{query}", key, check=("groups",))
        assert answer.status == 200 and answer.body["auth"] == 1


def test_feeds_groups_cover_every_feed_once(replay: Replay) -> None:
    wire, key = _wire(replay)
    body = wire.send("POST", "/fever/?api&feeds&groups", key, check=("feeds", "groups")).body
    listed = [int(f) for g in body["feeds_groups"] for f in g["feed_ids"].split(",")]
    assert sorted(listed) == sorted(f["id"] for f in body["feeds"])
    loose = next(g for g in body["feeds_groups"] if g["group_id"] == 0)
    assert {replay.feeds["loose"], replay.feeds["nolink"]} == {
        int(f) for f in loose["feed_ids"].split(",")
    }
    assert 0 not in {g["id"] for g in body["groups"]}
    assert {g["title"] for g in body["groups"]} == {"News", "Tech & Stuff"}
    nolink = next(f for f in body["feeds"] if f["id"] == replay.feeds["nolink"])
    assert nolink["site_url"] == "" and nolink["favicon_id"] == 0
    assert (
        wire.send("POST", "/fever/?api&favicons", key, check=("favicons",)).body["favicons"] == []
    )
    assert wire.send("POST", "/fever/?api&links", key, check=("links",)).body["links"] == []


def test_item_fields(replay: Replay) -> None:
    wire, key = _wire(replay)
    ids = replay.entry_ids(replay.ana.id, replay.feeds["nolink"])
    body = wire.send(
        "POST", f"/fever/?api&items&with_ids={','.join(map(str, ids))}", key, check=("items",)
    ).body
    by_title = {i["title"]: i for i in body["items"]}
    bare = by_title[""]
    assert bare["url"] == "" and bare["author"] == "" and bare["html"] == ""
    assert bare["created_on_time"] > 0  # no date: the crawl time
    assert "Fish & <chips> > peas" in by_title
    assert body["total_items"] == len(replay.articles(replay.ana))


def test_items_paging_bounds(replay: Replay) -> None:
    wire, key = _wire(replay)
    ids = sorted(replay.articles(replay.ana))
    for max_id in ("9007199254740991", "2147483647", "99999999999999999999999999"):
        page = wire.send("POST", f"/fever/?api&items&max_id={max_id}", key, check=("items",))
        assert [i["id"] for i in page.body["items"]] == ids[::-1][:50]
    page = wire.send("POST", f"/fever/?api&items&max_id={ids[10]}", key, check=("items",))
    assert [i["id"] for i in page.body["items"]] == ids[:10][::-1]
    for since in ("", "0"):
        page = wire.send("POST", f"/fever/?api&items&since_id={since}", key, check=("items",))
        assert [i["id"] for i in page.body["items"]] == ids[:50]
    page = wire.send("POST", "/fever/?api&items", key, check=("items",))
    assert [i["id"] for i in page.body["items"]] == ids[:50]
    page = wire.send("POST", f"/fever/?api&items&since_id={ids[-1]}", key, check=("items",))
    assert page.body["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "items&since_id=abc",
        "items&since_id=-1",
        "items&max_id=1.5",
        "items&since_id=" + "9" * 60,
        "items&with_ids=1,x",
        "items&with_ids=" + ",".join(str(i) for i in range(1, 52)),
        "mark=item&as=read&id=abc",
        "mark=item&as=read&id=0",
        "mark=item&as=read&id=1,2",
        "mark=item&as=read",
        "mark=item&as=toggle&id=1",
        "mark=feed&as=unread&id=1",
        "mark=feed&as=read&id=1&before=yesterday",
        "mark=everything&as=read&id=1",
    ],
)
def test_bad_parameters_are_a_400_naming_them_and_write_nothing(replay: Replay, query: str) -> None:
    wire, key = _wire(replay)
    unread, starred = replay.unread(replay.ana), replay.starred(replay.ana)
    answer = wire.send("POST", f"/fever/?api&unread_item_ids&{query}", key, check=None)
    assert answer.status == 400
    jsonschema.validate(answer.body, BASE)
    assert answer.body["auth"] == 1 and answer.body["error"]
    assert (replay.unread(replay.ana), replay.starred(replay.ana)) == (unread, starred)


def _raw_post(port: int, body: bytes, content_type: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/fever/?api", body=body, headers={"Content-Type": content_type})
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):  # answered before the body was read
        return 413
    finally:
        conn.close()


def test_huge_bodies_and_malformed_multipart_are_refused_not_failed(replay: Replay) -> None:
    port, unread = replay.server.port, replay.unread(replay.ana)
    ids = ",".join(str(i) for i in range(1, 100_001))
    for name in ("id", "with_ids"):
        body = f"api_key={fever_key('ana')}&items&mark=item&as=read&{name}={ids}".encode()
        assert _raw_post(port, body, "application/x-www-form-urlencoded") in (400, 413)
    assert replay.unread(replay.ana) == unread
    truncated = b'--x\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nabc'
    assert _raw_post(port, truncated, "multipart/form-data; boundary=x") in (200, 400)


def test_mark_group_and_before(replay: Replay) -> None:
    wire, key = _wire(replay)
    news_group = next(g for g, n in replay.agg.sync.get_category_ids(replay.ana.id) if n == "News")
    news = set(replay.entry_ids(replay.ana.id, replay.feeds["news"]))
    # before = 0: nothing was crawled before 1970
    wire.send(
        "POST", "/fever/?api", {**key, "mark": "group", "as": "read", "id": "0", "before": "0"}
    )
    assert replay.unread(replay.ana)
    # an unknown group or a foreign feed: ignored
    for mark, i in (("group", "999999"), ("feed", str(replay.feeds["bobs"]))):
        unread = replay.unread(replay.ana)
        body = wire.send(
            "POST",
            "/fever/?api",
            {**key, "mark": mark, "as": "read", "id": i, "before": "9999999999"},
            check=(),
        ).body
        assert body["auth"] == 1 and replay.unread(replay.ana) == unread
    wire.send(
        "POST",
        "/fever/?api",
        {
            **key,
            "mark": "group",
            "as": "read",
            "id": str(news_group),
            "before": "99999999999999999999",
        },
    )
    assert not replay.unread(replay.ana) & news
    assert replay.unread(replay.ana)  # the other folders are untouched
    wire.send(
        "POST", "/fever/?api", {**key, "mark": "group", "as": "read", "id": "0"}
    )  # no before: now
    assert replay.unread(replay.ana) == set()
    assert replay.unread(replay.bob)


def test_a_user_with_nothing_gets_empty_strings_and_lists(replay: Replay) -> None:
    carol = replay.server.user("carol")
    replay.agg.accounts.set_api_password(carol.id, API_PASSWORD)
    wire = Wire(replay.server.port)
    selectors = (
        "groups",
        "feeds",
        "favicons",
        "items",
        "links",
        "unread_item_ids",
        "saved_item_ids",
    )
    query = "&".join(selectors)
    body = wire.send(
        "GET", f"/fever/?api&{query}&api_key={fever_key('carol')}", check=selectors
    ).body
    assert body["unread_item_ids"] == body["saved_item_ids"] == ""
    assert body["feeds_groups"] == body["feeds"] == body["groups"] == body["items"] == []
    assert body["total_items"] == 0 and body["last_refreshed_on_time"] == 0
    jsonschema.validate(body, schema_for(*selectors))
