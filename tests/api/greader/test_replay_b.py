"""Read You (both account types), Capy and Fluent Reader replayed against the real app
over loopback (clientapis.md §3.2–§3.4), reduced by each client's own rules and
compared with what the web reader has; then the server moves on and the next sync
must converge, and each client's writes must land."""

from __future__ import annotations

import pytest
from feeds import rss
from feedserver import FeedServer

from api.fever.conftest import API_PASSWORD, Replay
from api.greader.replay_b import READ, STARRED, Capy, Fluent, ReadYou, View
from api.greader.wire import Wire
from tidings.model import User


def _same(view: View, replay: Replay, user: User, *, articles: set[int] | None = None) -> None:
    assert set(view.articles) == (replay.articles(user) if articles is None else articles)
    assert view.unread == replay.unread(user)
    assert view.starred == replay.starred(user)
    assert view.folders == replay.folders(user)


def _no_bob(wire: Wire, replay: Replay) -> None:
    theirs = set(replay.entry_ids(replay.bob.id, replay.feeds["bobs"]))
    assert theirs
    for _, path, _ in wire.log:
        assert f"feed/{replay.feeds['bobs']}" not in path


def _month(replay: Replay, user: User) -> set[int]:
    """What Read You asks for: everything unread or starred, and what was read."""
    return replay.articles(user)


@pytest.mark.parametrize("freshrss", [False, True], ids=["google-reader", "freshrss"])
def test_read_you_syncs_converges_and_writes(replay: Replay, freshrss: bool) -> None:
    wire = Wire(replay.server.port, "/api/greader.php/")
    client = ReadYou(wire, freshrss=freshrss)
    client.login("ana", API_PASSWORD)
    assert client.user_name == "ana"
    client.sync()
    _same(client.view, replay, replay.ana, articles=_month(replay, replay.ana))
    # the read set holds no unread item (ReadYou#1081: all read, everything lost)
    assert not client.view.unread & (replay.articles(replay.ana) - replay.unread(replay.ana))

    replay.move_on()
    client.sync()
    _same(client.view, replay, replay.ana)

    unread = sorted(client.view.unread)[:3]
    client.edit(unread, READ, add=True)
    assert not set(unread) & replay.unread(replay.ana)
    client.edit(unread[:1], READ, add=False)
    assert unread[0] in replay.unread(replay.ana)
    client.edit(unread[1:3], STARRED, add=True)
    client.edit(unread[1:3], STARRED, add=True)  # set, never toggled
    assert set(unread[1:3]) <= replay.starred(replay.ana)
    client.sync()
    _same(client.view, replay, replay.ana)
    _no_bob(wire, replay)


def test_read_you_token_with_a_newline_is_accepted(replay: Replay) -> None:
    wire = Wire(replay.server.port, "/api/greader.php/")
    client = ReadYou(wire)
    client.login("ana", API_PASSWORD)
    client.t += "\n"  # whatever newline a server puts after it, Read You sends
    ids = sorted(replay.unread(replay.ana))[:1]
    client.edit(ids, READ, add=True)
    assert not set(ids) & replay.unread(replay.ana)


def test_capy_refresh_filters_converges_and_writes(replay: Replay, feed_server: FeedServer) -> None:
    wire = Wire(replay.server.port, "/api/greader.php/")  # the FreshRSS preset
    client = Capy(wire)
    client.login("ana", API_PASSWORD)
    client.refresh()
    assert set(client.view.articles) == replay.unread(replay.ana) | replay.starred(replay.ana)
    assert client.view.unread == replay.unread(replay.ana)
    assert client.view.starred == replay.starred(replay.ana)
    assert client.view.folders == replay.folders(replay.ana)
    # a feed filter and a folder filter fetch the rest of that stream
    news = replay.feeds["news"]
    client.refresh(f"s=feed/{news}")
    assert set(replay.entry_ids(replay.ana.id, news)) <= set(client.view.articles)
    client.refresh("s=user/-/label/Tech%20%26%20Stuff")
    assert set(replay.entry_ids(replay.ana.id, replay.feeds["tech"])) <= set(client.view.articles)

    replay.move_on()
    client.refresh()
    assert client.view.unread == replay.unread(replay.ana)
    assert client.view.starred == replay.starred(replay.ana)

    # a label made in Capy is a tag it then sees as a saved search, folders as folders
    ids = sorted(client.view.unread)[:2]
    pairs = [("i", f"tag:google.com,2005:reader/item/{i:016x}") for i in ids]
    client.post("edit-tag", [*pairs, ("a", "user/-/label/Keep")])
    client.post("edit-tag", [*pairs, ("a", READ)])
    client.refresh()
    assert client.view.tags == {"Keep"}
    assert not set(ids) & replay.unread(replay.ana)
    assert all("Keep" in replay.agg.get_entry(replay.ana.id, i).tags for i in ids)
    # subscribing, filing, renaming and deleting folders
    feed_server.set("/new.xml", rss(4))
    added = client.post("subscription/quickadd", [("quickadd", feed_server.url("/new.xml"))])
    stream = added.json["streamId"]
    assert added.json["numResults"] == 1 and stream.startswith("feed/")
    client.post(
        "subscription/edit",
        [("s", stream), ("ac", "edit"), ("a", "user/-/label/Fresh"), ("t", "Brand new")],
    )
    subs = {int(s.id): s for s in replay.agg.sync.get_subscriptions(replay.ana.id)}
    new = subs[int(stream.removeprefix("feed/"))]
    assert new.category == "Fresh" and new.title == "Brand new"
    client.post("rename-tag", [("s", "user/-/label/Fresh"), ("dest", "user/-/label/Newer")])
    assert replay.folders(replay.ana)[int(new.id)] == "Newer"
    client.post("disable-tag", [("s", "user/-/label/Newer")])
    assert replay.folders(replay.ana)[int(new.id)] is None
    client.refresh()
    assert client.view.folders == replay.folders(replay.ana)
    _no_bob(wire, replay)


@pytest.mark.parametrize("endpoint", ["/api/greader.php", "/api/greader.php/"])
def test_fluent_syncs_converges_and_writes_without_a_token(replay: Replay, endpoint: str) -> None:
    wire = Wire(replay.server.port, endpoint)  # a trailing "/" gives "//reader"
    client = Fluent(wire)
    client.login("ana", API_PASSWORD)
    client.sync()
    _same(client.view, replay, replay.ana)

    replay.move_on()  # new items crawled after lastFetched, dated a month back
    client.sync()
    _same(client.view, replay, replay.ana)
    assert any(p.startswith(endpoint + "/reader/api/0/stream/contents?") for _, p, _ in wire.log)

    ids = sorted(client.view.unread)[:2]
    client.edit(ids, READ, add=True)
    client.edit(ids[:1], STARRED, add=True)
    assert not set(ids) & replay.unread(replay.ana)
    assert ids[0] in replay.starred(replay.ana)
    tech = replay.feeds["tech"]
    client.mark_feed_read(tech)
    assert not set(replay.entry_ids(replay.ana.id, tech)) & replay.unread(replay.ana)
    client.sync()
    _same(client.view, replay, replay.ana)
    _no_bob(wire, replay)
