"""The Google Reader endpoints on a real app over loopback: paths, authentication,
and each endpoint's answer (clientapis.md §1)."""

from __future__ import annotations

from typing import Any

import pytest
from web.conftest import make_server  # noqa: F401

from api.fever.conftest import API_PASSWORD, Replay
from api.greader.wire import Wire, form

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"


def _wire(replay: Replay, base: str = "/") -> Wire:
    wire = Wire(replay.server.port, base)
    assert wire.login("ana", API_PASSWORD).status == 200
    return wire


@pytest.mark.parametrize(
    "base",
    ["/", "/api/greader.php/", "/api/greader.php//", "//", "/api/greader.php/api/greader.php/"],
)
def test_every_base_clients_build(replay: Replay, base: str) -> None:
    wire = _wire(replay, base)
    answer = wire.get("reader/api/0/user-info")  # no output=json (FeedMe, Fluent)
    assert answer.status == 200 and answer.json["userName"] == "ana"
    assert wire.get("reader/api/0/subscription/list?output=json/").status == 200


def test_bare_base_answers_ok(replay: Replay) -> None:
    wire = Wire(replay.server.port)
    for path in ("/api/greader.php", "/api/greader.php/", "/reader/api/0"):
        wire.base = path
        assert wire.get("", auth=False).status == 200


def test_client_login_text_json_and_refusals(replay: Replay) -> None:
    wire = Wire(replay.server.port, "/")
    answer = wire.login("ana", API_PASSWORD)
    assert answer.headers["content-type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert [line.split("=")[0] for line in lines] == ["SID", "LSID", "Auth"]
    token = wire.token
    assert token and not set(token) & set("=&+% \n")
    # Read You: output=json in the form
    body = form(("output", "json"), ("Email", "ana"), ("Passwd", API_PASSWORD), ("client", "x"))
    answer = wire.post("accounts/ClientLogin", body, auth=False)
    assert answer.status == 200 and set(answer.json) >= {"Auth"}
    # a stale Authorization header is ignored on ClientLogin (EasyRSS, Fluent)
    answer = wire.post(
        "accounts/ClientLogin",
        form(("Email", "ana"), ("Passwd", API_PASSWORD)),
        headers={"Authorization": "undefined"},
        auth=False,
    )
    assert answer.status == 200
    # the web password is not the API password
    refused = wire.post("accounts/ClientLogin", form(("Email", "ana"), ("Passwd", "nope")))
    assert refused.status == 401 and refused.text == "Error=BadAuthentication"
    assert wire.post("accounts/ClientLogin", form(("Email", "zed"), ("Passwd", "x"))).status == 401


def test_tokens_and_what_they_open(replay: Replay) -> None:
    wire = _wire(replay)
    answer = wire.get("reader/api/0/token")
    assert answer.status == 200 and "\n" not in answer.text and len(answer.text) >= 20
    edit = answer.text
    assert Wire(replay.server.port, "/").get("reader/api/0/user-info").status == 401
    forged = Wire(replay.server.port, "/")
    forged.token = "A" * 43
    assert forged.get("reader/api/0/user-info").status == 401
    # no cookie session is accepted here
    client = replay.server.client()
    client.login("ana")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    cookie_only = Wire(replay.server.port, "/")
    assert cookie_only.get("reader/api/0/user-info", headers={"Cookie": cookie}).status == 401
    # T: absent, empty, x or right: accepted; wrong: 401 with the bad-token header
    ids = sorted(replay.unread(replay.ana))[:1]
    item = f"tag:google.com,2005:reader/item/{ids[0]:016x}"
    for t in (None, "", "x", edit, edit + "\n"):
        pairs = [("i", item), ("a", READ)] + ([("T", t)] if t is not None else [])
        assert wire.post("reader/api/0/edit-tag", form(*pairs)).status == 200
    answer = wire.post("reader/api/0/edit-tag", form(("i", item), ("a", READ), ("T", "wrong")))
    assert answer.status == 401 and answer.headers["x-reader-google-bad-token"] == "true"
    # a new API password ends every token
    replay.agg.accounts.set_api_password(replay.ana.id, "another api password")
    assert wire.get("reader/api/0/user-info").status == 401


def test_stream_ids_pages_and_filters(replay: Replay) -> None:
    wire = _wire(replay)
    every = wire.ids(f"n=7&output=json&s={READING_LIST}")
    assert set(every) == replay.articles(replay.ana) and every == sorted(every, reverse=True)
    unread = wire.ids(f"n=10&output=json&s={READING_LIST}&xt={READ}")
    assert set(unread) == replay.unread(replay.ana) and len(unread) == len(set(unread))
    assert set(wire.ids(f"output=json&s={READ}")) == replay.articles(replay.ana) - set(unread)
    assert set(wire.ids(f"output=json&s={STARRED}")) == replay.starred(replay.ana)
    oldest = wire.ids(f"n=5&r=o&s={READING_LIST}")
    assert oldest == sorted(every)
    feed = replay.feeds["tech"]
    in_feed = set(wire.ids(f"s=feed/{feed}&xt={READ}"))
    assert in_feed == set(replay.entry_ids(replay.ana.id, feed)) & replay.unread(replay.ana)
    assert set(wire.ids(f"s=feed/feed/{feed}")) == set(replay.entry_ids(replay.ana.id, feed))
    label = "user/-/label/Tech%20%26%20Stuff"
    assert set(wire.ids(f"s={label}")) == set(replay.entry_ids(replay.ana.id, feed))
    starred_in_feed = set(wire.ids(f"s=feed/{feed}&it={STARRED}"))
    assert starred_in_feed == set(replay.entry_ids(replay.ana.id, feed)) & replay.starred(
        replay.ana
    )
    # bob's feed is not ana's: an empty list, never his entries
    assert wire.ids(f"s=feed/{replay.feeds['bobs']}") == []


def test_contents_items_and_stream_in_path(replay: Replay) -> None:
    wire = _wire(replay)
    ids = sorted(replay.articles(replay.ana))[:3]
    bobs = sorted(replay.articles(replay.bob) - replay.articles(replay.ana))[:1]
    body = "&".join(
        [f"i=tag:google.com,2005:reader/item/{ids[0]:x}", f"i={ids[1]}", f"i={ids[2]:016x}"]
        + [f"i={b}" for b in bobs]
    )
    answer = wire.post("reader/api/0/stream/items/contents?output=json", body)
    assert answer.status == 200
    got = {int(i["id"].rsplit("/", 1)[1], 16) for i in answer.json["items"]}
    assert got == set(ids)  # bob's entry is not listed
    # stream/contents: no stream (Fluent), in the path (Vienna), in s= (FeedMe)
    answer = wire.get("reader/api/0/stream/contents?output=json&n=5")
    assert answer.status == 200 and len(answer.json["items"]) == 5 and answer.json["continuation"]
    feed = replay.feeds["news"]
    answer = wire.get(f"reader/api/0/stream/contents/feed%2F{feed}?n=1000&output=json")
    assert {i["origin"]["streamId"] for i in answer.json["items"]} == {f"feed/{feed}"}
    assert answer.json["id"] == f"feed/{feed}"
    answer = wire.get(
        f"reader/api/0/stream/contents?output=json&n=100&xt={READ}&ot=0&s={READING_LIST}"
    )
    assert len(answer.json["items"]) == min(100, len(replay.unread(replay.ana)))
    # each item's origin names its feed's site, as the subscription list does ("" for
    # the feed without one)
    listed = wire.get("reader/api/0/subscription/list?output=json").json["subscriptions"]
    sites = {s["id"]: s["htmlUrl"] for s in listed}
    every = wire.get("reader/api/0/stream/contents?output=json&n=1000").json["items"]
    assert {i["origin"]["streamId"] for i in every} == set(sites)
    assert "" in sites.values() and len(set(sites.values())) > 1
    assert all(i["origin"]["htmlUrl"] == sites[i["origin"]["streamId"]] for i in every)
    body = "&".join(f"i={int(i['id'].rsplit('/', 1)[1], 16)}" for i in every)
    answer = wire.post("reader/api/0/stream/items/contents?output=json", body)
    assert len(answer.json["items"]) == len(every)
    assert all(
        i["origin"]["htmlUrl"] == sites[i["origin"]["streamId"]] for i in answer.json["items"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "stream/items/ids?s=user/-/state/com.google/nope",
        "stream/items/ids?n=abc",
        "stream/items/ids?ot=yesterday",
        "stream/items/ids?c=zz",
        "stream/contents?n=" + "9" * 30,
        "stream/items/contents?i=tag:google.com,2005:reader/item/zz",
        "stream/items/contents?i=-",
    ],
)
def test_bad_input_is_a_400_with_a_message(replay: Replay, path: str) -> None:
    wire = _wire(replay)
    answer = wire.get("reader/api/0/" + path)
    assert answer.status == 400 and answer.text


def test_a_huge_edit_tag_is_refused_whole(replay: Replay) -> None:
    wire = _wire(replay)
    unread = replay.unread(replay.ana)
    body = (
        "&".join(f"i={i}" for i in sorted(unread))
        + "&"
        + "&".join(f"i={i}" for i in range(10**6, 10**6 + 100_000))
    )
    answer = wire.post("reader/api/0/edit-tag", body + f"&a={READ}")
    assert answer.status == 400 and "at most" in answer.text
    assert replay.unread(replay.ana) == unread  # nothing written


def test_lists_counts_and_labels(replay: Replay) -> None:
    wire = _wire(replay)
    subs = wire.get("reader/api/0/subscription/list?output=json").json["subscriptions"]
    assert {s["id"] for s in subs} == {f"feed/{i}" for i in replay.folders(replay.ana)}
    tech = next(s for s in subs if s["id"] == f"feed/{replay.feeds['tech']}")
    assert tech["categories"] == [{"id": "user/-/label/Tech & Stuff", "label": "Tech & Stuff"}]
    counts = wire.get("reader/api/0/unread-count?output=json").json
    by_id = {c["id"]: c["count"] for c in counts["unreadcounts"]}
    assert by_id[READING_LIST] == counts["max"] == len(replay.unread(replay.ana))
    assert all(f"feed/{i}" in by_id for i in replay.folders(replay.ana))
    tags = wire.get("reader/api/0/tag/list?output=json").json["tags"]
    assert {"id": "user/-/label/News", "type": "folder"} in tags
    # a tag made in the client is a tag in Tidings, and lists as one
    ids = sorted(replay.articles(replay.ana))[:2]
    body = form(("i", str(ids[0])), ("i", str(ids[1])), ("a", "user/-/label/Later"))
    assert wire.post("reader/api/0/edit-tag", body).status == 200
    assert replay.agg.get_entry(replay.ana.id, ids[0]).tags == ("Later",)
    tags = wire.get("reader/api/0/tag/list?output=json").json["tags"]
    assert {"id": "user/-/label/Later", "type": "tag"} in tags
    assert set(wire.ids("s=user/-/label/Later")) == set(ids)
    # rename and delete a folder
    body = form(("s", "user/-/label/News"), ("dest", "user/-/label/World"))
    assert wire.post("reader/api/0/rename-tag", body).text == "OK"
    assert replay.folders(replay.ana)[replay.feeds["news"]] == "World"
    assert replay.folders(replay.bob)[replay.feeds["news"]] == "Bob's"
    assert wire.post("reader/api/0/disable-tag", form(("s", "user/-/label/World"))).text == "OK"
    assert replay.folders(replay.ana)[replay.feeds["news"]] is None


def test_subscription_edit_and_mark_all_as_read(replay: Replay) -> None:
    wire = _wire(replay)
    loose = replay.feeds["loose"]
    body = form(("s", f"feed/{loose}"), ("ac", "edit"), ("a", "user/-/label/Misc"), ("t", "Mine"))
    assert wire.post("reader/api/0/subscription/edit", body).text == "OK"
    subs = {int(s.id): s for s in replay.agg.sync.get_subscriptions(replay.ana.id)}
    assert subs[loose].category == "Misc" and subs[loose].title == "Mine"
    body = form(("s", f"feed/{loose}"), ("ac", "edit"), ("r", "user/-/label/Misc"))
    wire.post("reader/api/0/subscription/edit", body)
    assert replay.folders(replay.ana)[loose] is None
    # mark-all-as-read of one feed: Fluent (no ts, no T), then Vienna (ts in µs)
    tech = replay.feeds["tech"]
    assert wire.post("reader/api/0/mark-all-as-read", form(("s", f"feed/{tech}"))).text == "OK"
    assert not set(replay.entry_ids(replay.ana.id, tech)) & replay.unread(replay.ana)
    news = replay.feeds["news"]
    before = len(replay.unread(replay.ana))
    wire.post("reader/api/0/mark-all-as-read", form(("s", f"feed/{news}"), ("ts", "1000000")))
    assert len(replay.unread(replay.ana)) == before  # crawled after ts: stays unread
    # bob's state is his own
    assert replay.unread(replay.bob)
    body = form(("s", f"feed/{loose}"), ("ac", "unsubscribe"))
    assert wire.post("reader/api/0/subscription/edit", body).text == "OK"
    assert loose not in replay.folders(replay.ana)


def test_failed_logins_are_throttled(make_server: Any) -> None:  # noqa: F811
    from tidings.web.throttle import LoginThrottle

    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    throttle = LoginThrottle(free_per_pair=3, sleep=sleep)
    server = make_server(throttle=throttle)
    ana = server.user("ana")
    server.agg.accounts.set_api_password(ana.id, API_PASSWORD)
    wire = Wire(server.port, "/")
    for i in range(3):
        assert wire.login("ana", f"guess {i}").status == 401
    assert pauses == []
    refused = wire.login("ana", "guess 4")  # slowed: it waits and is refused with 429
    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1
    assert wire.login("ana", API_PASSWORD).status == 200  # the right one waits and gets in
    assert len(pauses) == 2


def test_kept_unread_is_unread_and_leaving_it_changes_nothing(replay: Replay) -> None:
    wire = _wire(replay)
    read = sorted(replay.articles(replay.ana) - replay.unread(replay.ana))[:2]
    kept = "user/-/state/com.google/kept-unread"
    wire.post("reader/api/0/edit-tag", form(("i", str(read[0])), ("a", kept)))
    assert read[0] in replay.unread(replay.ana)
    wire.post("reader/api/0/edit-tag", form(("i", str(read[0])), ("r", kept)))
    assert read[0] in replay.unread(replay.ana)  # not marked read by that alone
    body = form(("i", str(read[1])), ("a", "user/-/state/com.google/like"), ("a", kept))
    assert wire.post("reader/api/0/edit-tag", body).text == "OK"  # like: ignored
    assert read[1] in replay.unread(replay.ana)


def test_quickadd_of_a_feed_already_followed_answers_without_fetching(replay: Replay) -> None:
    wire = _wire(replay)
    news = replay.feeds["news"]
    # news.example does not resolve here: a fetch would fail, so this answer is the store's
    answer = wire.post(
        "reader/api/0/subscription/quickadd", form(("quickadd", "https://news.example/feed"))
    )
    assert answer.json["numResults"] == 1 and answer.json["streamId"] == f"feed/{news}"
    answer = wire.post("reader/api/0/subscription/quickadd", form(("quickadd", "not a url")))
    assert answer.status == 200 and answer.json["numResults"] == 0 and answer.json["error"]
