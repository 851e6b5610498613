"""Read You (Fever mode), Fluent Reader (Fever mode) and the Reeder/Unread way, each
replayed against the real app as clientapis.md §2.3/§3 describes, reduced by the
client's own rules, then compared with what the web reader has; then the server
changes and the next incremental sync must converge, and the client's writes land."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.fever.clients import Fluent, IdsFirst, ReadYou, View, Wire
from api.fever.conftest import CRAWLED, NOW, Replay, entry, fever_key
from tidings.model import User


def _same(view: View, replay: Replay, user: User, *, all_articles: bool = True) -> None:
    unread, starred = replay.unread(user), replay.starred(user)
    if all_articles:
        assert set(view.articles) == replay.articles(user)
    else:  # a client that fetches only unread and starred items
        assert set(view.articles) >= unread | starred
    assert view.unread == unread
    assert view.starred == starred
    assert view.folders == replay.folders(user)


@pytest.mark.parametrize("path", ["/fever/", "/api/fever.php"])
def test_read_you_first_sync_incremental_sync_and_writes(replay: Replay, path: str) -> None:
    wire = Wire(replay.server.port)
    client = ReadYou(wire, path, fever_key("ana"))
    client.login()
    client.sync()
    assert len(client.view.articles) == 110  # pages of 50, 50, 10 from a blank since_id
    _same(client.view, replay, replay.ana)
    pages = [p for m, p in wire.log if "items" in p]
    assert pages[0].endswith("since_id=") and len(pages) == 3

    replay.move_on()
    client.sync()
    assert len(client.view.articles) == 117
    _same(client.view, replay, replay.ana)

    # writes, in the query (Read You), set state absolutely
    target = sorted(client.view.unread)[0]
    client.mark(target, "read")
    client.mark(target, "read")
    assert target not in replay.unread(replay.ana)
    client.mark(target, "unread")
    assert target in replay.unread(replay.ana)
    client.mark(target, "saved")
    client.mark(target, "saved")  # twice: still saved (Miniflux toggled)
    assert target in replay.starred(replay.ana)
    client.mark(target, "unsaved")
    assert target not in replay.starred(replay.ana)
    client.sync()
    _same(client.view, replay, replay.ana)

    # "mark all as read": every feed with before = Long.MAX_VALUE/1000, clamped to now
    client.mark_all_read()
    assert replay.unread(replay.ana) == set()
    # bob's state of the shared feed is his own
    assert replay.unread(replay.bob)
    # an entry crawled after the mark (Read You's huge before was clamped) stays unread
    replay.refresh(replay.feeds["news"], [entry("later", 1)], crawled=NOW + timedelta(minutes=5))
    client.sync()
    assert len(client.view.unread) == 1
    _same(client.view, replay, replay.ana)


def test_fluent_reader_fever_sync_and_writes(replay: Replay) -> None:
    wire = Wire(replay.server.port)
    client = Fluent(wire, "/fever/", fever_key("ana"))
    assert client.login()
    client.sync()
    _same(client.view, replay, replay.ana)
    pages = [p for m, p in wire.log if "items" in p]
    assert pages[0].endswith("max_id=9007199254740991") and len(pages) == 3

    new, changed = replay.move_on()
    client.sync()
    _same(client.view, replay, replay.ana)
    assert changed <= set(client.view.articles)

    # writes in the body
    target = sorted(client.view.unread)[-1]
    client.mark(target, "read")
    assert target not in replay.unread(replay.ana)
    client.mark(target, "saved")
    client.mark(target, "saved")
    assert target in replay.starred(replay.ana)
    # "mark below as read" on the news feed, before = an item's date + 1 s, compared with
    # crawl time: the entries crawled two days ago are read, those crawled now are not
    news = replay.feeds["news"]
    late = {i["id"] for i in client.view.articles.values() if "late" in i["title"]}
    client.mark_feed_read(news, int(CRAWLED.timestamp()) + 3600)
    news_unread = {
        i for i in replay.unread(replay.ana) if client.view.articles[i]["feed_id"] == news
    }
    assert news_unread == late - {target, min(new)}  # min(new): read on the web
    assert news_unread  # the late entries, crawled after that date, stay unread
    client.sync()
    _same(client.view, replay, replay.ana)


@pytest.mark.parametrize(
    ("shape", "path"),
    [("get", "/fever/"), ("feedme", "/api/fever.php"), ("multipart", "/fever/fever")],
)
def test_reeder_unread_feedme_and_raven_shapes(replay: Replay, shape: str, path: str) -> None:
    wire = Wire(replay.server.port)
    client = IdsFirst(wire, path, fever_key("ana"), shape)
    client.sync()
    _same(client.view, replay, replay.ana, all_articles=False)
    replay.move_on()
    client.sync()
    _same(client.view, replay, replay.ana, all_articles=False)
    target = sorted(client.view.unread)[0]
    client.mark(target, "read")
    client.mark(target, "saved")
    assert target not in replay.unread(replay.ana) and target in replay.starred(replay.ana)
    client.sync()
    _same(client.view, replay, replay.ana, all_articles=False)


def test_each_user_syncs_only_their_own(replay: Replay) -> None:
    wire = Wire(replay.server.port)
    ana, bob = (
        ReadYou(wire, "/fever/", fever_key("ana")),
        ReadYou(wire, "/fever/", fever_key("bob")),
    )
    ana.sync()
    bob.sync()
    _same(bob.view, replay, replay.bob)
    assert set(bob.view.feeds) == {replay.feeds["news"], replay.feeds["bobs"]}
    assert bob.view.folders[replay.feeds["news"]] == "Bob's"
    assert ana.view.folders[replay.feeds["news"]] == "News"
    # the shared feed's entries carry each user's own state
    shared = set(bob.view.articles) & set(ana.view.articles)
    assert len(shared) == 60
    assert any(bob.view.articles[i]["is_read"] != ana.view.articles[i]["is_read"] for i in shared)
    # bob's writes on ana's own entries and feeds are ignored
    anas_only = sorted(set(ana.view.articles) - set(bob.view.articles))
    before = (replay.unread(replay.ana), replay.starred(replay.ana))
    for as_ in ("read", "unread", "saved", "unsaved"):
        bob.mark(anas_only[0], as_)
    bob._post(f"mark=feed&as=read&id={replay.feeds['tech']}&before=9999999999")
    group = next(g for g, name in replay.agg.sync.get_category_ids(replay.ana.id) if name == "News")
    bob._post(f"mark=group&as=read&id={group}&before=9999999999")
    assert (replay.unread(replay.ana), replay.starred(replay.ana)) == before
    answer = wire.send(
        "POST",
        f"/fever/?api=&items&with_ids={anas_only[0]},{anas_only[1]}",
        {"api_key": fever_key("bob")},
        check=("items",),
    )
    assert answer.body["items"] == []
