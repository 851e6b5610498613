"""Read You (both account types), Capy and Fluent Reader replayed against the real app
over loopback (clientapis.md §3.2–§3.4, §3.7), reduced by each client's own rules and
compared with what the web reader has; then the server moves on and the next sync
must converge, and each client's writes must land. Last, nothing of another user's
own feed reaches a client, whatever it asks for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from feeds import rss
from feedserver import FeedServer

from api.fever.conftest import API_PASSWORD, NOW, Replay, entry
from api.greader.replay_b import PREFIX, READ, STARRED, Capy, Fluent, ReadYou, View, feed_of
from api.greader.wire import Wire, form
from tidings.model import EntryUpdate, FeedUpdate, User

BASE = "/api/greader.php/"  # Read You appends "/"; Capy's FreshRSS preset adds it


def _same(view: View, replay: Replay, user: User, *, articles: set[int] | None = None) -> None:
    assert set(view.articles) == (replay.articles(user) if articles is None else articles)
    assert view.unread == replay.unread(user)
    assert view.starred == replay.starred(user)
    assert view.folders == replay.folders(user)


def _shown_right(view: View, replay: Replay, user: User) -> None:
    """Each article's link and body as the client chose them are the entry's."""
    for key in view.articles:
        e = replay.agg.get_entry(user.id, key)
        assert view.bodies[key] == (e.content or e.summary or ""), key
        assert view.links[key], key  # never nothing to open
        if e.link:
            assert view.links[key] == e.link
        assert feed_of(view.articles[key]) == int(e.feed_id)


def _changes(replay: Replay) -> set[int]:
    """The server moves on (``Replay.move_on``) and a feed moves to another folder.
    Returns the new entries."""
    new, _ = replay.move_on()
    replay.agg.subscriptions.update_subscription(
        replay.ana.id, replay.feeds["loose"], category="News"
    )
    return new


def _paths(wire: Wire) -> list[str]:
    return [path for _, path, _ in wire.log]


@pytest.mark.parametrize("freshrss", [False, True], ids=["google-reader", "freshrss"])
def test_read_you_syncs_converges_and_writes(replay: Replay, freshrss: bool) -> None:
    ana = replay.ana
    wire = Wire(replay.server.port, BASE)
    client = ReadYou(wire, freshrss=freshrss)
    client.login("ana", API_PASSWORD)
    assert client.login_was_json and client.user_name == "ana"
    assert client.t == client.t.strip()  # /token: no newline after it
    client.sync()
    # everything was crawled this month, so a ∪ b ∪ c is every article
    _same(client.view, replay, ana)
    _shown_right(client.view, replay, ana)
    # the read set is the read items only (ReadYou#1081: all read, everything lost)
    assert client.remote_read == replay.articles(ana) - replay.unread(ana)
    assert not client.remote_read & replay.unread(ana)

    new = _changes(replay)
    client.sync()
    _same(client.view, replay, ana)
    assert new <= set(client.view.articles)  # back-dated, but crawled now
    assert client.view.folders[replay.feeds["loose"]] == "News"
    assert not client.remote_read & replay.unread(ana)
    # a feed unsubscribed on the server goes, with its articles
    replay.agg.remove_feed(ana.id, "https://nolink.example/feed")
    client.sync()
    _same(client.view, replay, ana)
    assert replay.feeds["nolink"] not in {feed_of(a) for a in client.view.articles.values()}

    unread = sorted(client.view.unread)[:3]
    client.edit(unread, READ, add=True)
    assert not set(unread) & replay.unread(ana)
    client.edit(unread[:1], READ, add=False)
    assert unread[0] in replay.unread(ana)
    client.edit(unread[1:3], STARRED, add=True)
    client.edit(unread[1:3], STARRED, add=True)  # set, never toggled
    assert set(unread[1:3]) <= replay.starred(ana)
    client.edit(unread[2:3], STARRED, add=False)
    assert unread[2] not in replay.starred(ana)
    client.sync()
    _same(client.view, replay, ana)


def test_read_you_token_with_a_newline_is_accepted(replay: Replay) -> None:
    wire = Wire(replay.server.port, BASE)
    client = ReadYou(wire)
    client.login("ana", API_PASSWORD)
    client.t += "\n"  # whatever newline a server puts after it, Read You sends
    client.sync()  # items/contents carries T too
    ids = sorted(replay.unread(replay.ana))[:1]
    client.edit(ids, READ, add=True)
    assert not set(ids) & replay.unread(replay.ana)


def test_read_you_read_set_goes_by_crawl_time(replay: Replay) -> None:
    """c) asks for what was read with ot = now − 1 month: crawl time, not the date.
    Read items crawled 40 days ago stay out (unless starred); read items crawled now
    but dated 90 days back are in."""
    ana = replay.ana
    before = replay.articles(ana)
    replay.store(
        ana,
        "https://old.example/feed",
        [entry("old", i, published=NOW - timedelta(days=1)) for i in range(4)],
        crawled=NOW - timedelta(days=40),
    )
    old = replay.articles(ana) - before
    replay.refresh(
        replay.feeds["loose"],
        [entry("dated", i, published=NOW - timedelta(days=90)) for i in range(3)],
    )
    dated = replay.articles(ana) - before - old
    for i in old | dated:
        replay.agg.mark_entry(ana.id, i, read=True)
    kept = min(old)
    replay.agg.mark_entry(ana.id, kept, starred=True)
    for freshrss in (False, True):
        client = ReadYou(Wire(replay.server.port, BASE), freshrss=freshrss)
        client.login("ana", API_PASSWORD)
        client.sync()
        assert dated <= client.remote_read and not old & client.remote_read
        unseen = old - {kept}  # read, crawled before the month, not starred
        _same(client.view, replay, ana, articles=replay.articles(ana) - unseen)
        assert kept in client.view.articles and kept not in client.view.unread


def test_capy_refresh_filters_converges_and_tags(replay: Replay) -> None:
    ana = replay.ana
    wire = Wire(replay.server.port, BASE)  # the FreshRSS preset
    client = Capy(wire)
    client.login("ana", API_PASSWORD)
    client.refresh()
    paths = _paths(wire)
    token = next(i for i, p in enumerate(paths) if p.endswith("/reader/api/0/token"))
    contents = next(i for i, p in enumerate(paths) if "stream/items/contents" in p)
    assert all("stream/items/ids" in p for p in paths[token - 2 : token]) and token < contents
    _same(client.view, replay, ana, articles=replay.unread(ana) | replay.starred(ana))
    _shown_right(client.view, replay, ana)
    assert client.view.folder_labels == {"News", "Tech & Stuff"} and client.view.tags == set()

    # a feed filter and a folder filter fetch the rest of that stream
    news = replay.feeds["news"]
    client.refresh(f"feed/{news}")
    assert set(replay.entry_ids(ana.id, news)) <= set(client.view.articles)
    client.refresh("user/-/label/Tech%20%26%20Stuff")  # Retrofit encodes the @Query
    assert set(replay.entry_ids(ana.id, replay.feeds["tech"])) <= set(client.view.articles)
    _shown_right(client.view, replay, ana)

    new = _changes(replay)
    client.refresh()
    articles = set(client.view.articles)
    # Capy fetches what is unread or starred: all new entries but the one read on the web
    assert new - {min(new)} <= articles and replay.unread(ana) | replay.starred(ana) <= articles
    _same(client.view, replay, ana, articles=articles)

    # a label made in Capy is a tag it then sees as a saved search, folders as folders
    ids = sorted(client.view.unread)[:2]
    pairs = [("i", f"{PREFIX}{i:016x}") for i in ids]
    client.post("edit-tag", [*pairs, ("a", "user/-/label/Keep")])
    client.post("edit-tag", [*pairs, ("a", READ)])
    client.post("edit-tag", [*pairs, ("a", STARRED)])
    client.post("edit-tag", [*pairs[:1], ("r", STARRED)])
    client.refresh("user/-/label/Keep")  # the saved-search filter
    assert client.view.tags == {"Keep"} and client.view.folder_labels == {"News", "Tech & Stuff"}
    assert not set(ids) & replay.unread(ana)
    assert ids[0] not in replay.starred(ana) and ids[1] in replay.starred(ana)
    assert all("Keep" in replay.agg.get_entry(ana.id, i).tags for i in ids)
    _same(client.view, replay, ana, articles=set(client.view.articles))
    client.post("rename-tag", [("s", "user/-/label/Keep"), ("dest", "user/-/label/Kept")])
    client.refresh()
    assert client.view.tags == {"Kept"} and client.view.folder_labels == {"News", "Tech & Stuff"}
    assert set(ids) == set(client.wire.ids("s=user/-/label/Kept&n=10000&output=json"))
    client.post("disable-tag", [("s", "user/-/label/Kept")])
    client.refresh()
    assert client.view.tags == set()
    assert not any(replay.agg.get_entry(ana.id, i).tags for i in ids)
    assert replay.folders(ana) == client.view.folders  # the folders untouched


def test_capy_adds_files_renames_and_deletes(replay: Replay, feed_server: FeedServer) -> None:
    ana = replay.ana
    wire = Wire(replay.server.port, BASE)
    client = Capy(wire)
    client.login("ana", API_PASSWORD)
    client.refresh()
    feed_server.set("/new.xml", rss(4, title="Brand feed"))
    url = feed_server.url("/new.xml")
    added = client.post("subscription/quickadd", [("quickadd", url)])
    stream = added.json["streamId"]
    assert added.json["numResults"] == 1 and stream.startswith("feed/")
    assert added.json["query"] == url
    new = int(stream.removeprefix("feed/"))
    # Capy names the feed streamName, then takes subscription/list's title: the same,
    # until the first refresh (quickadd subscribes; the feed is fetched when due)
    listed = wire.get("reader/api/0/subscription/list?output=json").json["subscriptions"]
    assert {s["id"]: s["title"] for s in listed}[stream] == added.json["streamName"]
    client.refresh()
    assert client.view.folders[new] is None
    assert set(replay.entry_ids(ana.id, new)) <= set(client.view.articles)
    client.post(
        "subscription/edit",
        [("s", stream), ("ac", "edit"), ("a", "user/-/label/Fresh"), ("t", "Brand new")],
    )
    subs = {int(s.id): s for s in replay.agg.sync.get_subscriptions(ana.id)}
    assert subs[new].category == "Fresh" and subs[new].title == "Brand new"
    client.refresh()
    assert client.view.folders[new] == "Fresh" and "Fresh" in client.view.folder_labels
    client.post("rename-tag", [("s", "user/-/label/Fresh"), ("dest", "user/-/label/Newer")])
    assert replay.folders(ana)[new] == "Newer"
    client.post("disable-tag", [("s", "user/-/label/Newer")])
    assert replay.folders(ana)[new] is None
    client.refresh()
    _same(client.view, replay, ana, articles=set(client.view.articles))
    assert client.view.folder_labels == {"News", "Tech & Stuff"}


@pytest.mark.parametrize("endpoint", ["/api/greader.php", "/api/greader.php/"])
def test_fluent_syncs_converges_and_writes_without_a_token(replay: Replay, endpoint: str) -> None:
    ana = replay.ana
    wire = Wire(replay.server.port, endpoint)  # a trailing "/" gives "//reader"
    client = Fluent(wire)
    client.login("ana", API_PASSWORD)
    client.sync()
    _same(client.view, replay, ana)
    _shown_right(client.view, replay, ana)

    new = _changes(replay)  # crawled after lastFetched, dated a month back
    client.sync()
    _same(client.view, replay, ana)
    assert new <= set(client.view.articles)
    paths = _paths(wire)
    contents = [p for p in paths if "/stream/contents" in p]
    assert contents and all(
        p.startswith(endpoint + "/reader/api/0/stream/contents?") for p in contents
    )
    assert all("&s=" not in p and "?s=" not in p for p in contents)  # no stream id at all
    assert any("&ot=" in p for p in contents)
    assert not any(p.endswith("/token") for p in paths)  # never asks for T

    ids = sorted(client.view.unread)[:2]
    client.edit(ids, READ, add=True)
    client.edit(ids[:1], STARRED, add=True)
    assert not set(ids) & replay.unread(ana)
    assert ids[0] in replay.starred(ana)
    client.edit(ids[1:], READ, add=False)
    assert ids[1] in replay.unread(ana)
    tech = replay.feeds["tech"]
    others = replay.unread(ana) - set(replay.entry_ids(ana.id, tech))
    client.mark_feed_read(tech)
    assert not set(replay.entry_ids(ana.id, tech)) & replay.unread(ana)
    assert replay.unread(ana) == others  # that feed only
    client.sync()
    _same(client.view, replay, ana)


def test_fluent_gets_entries_fetched_before_its_sync_but_written_after(replay: Replay) -> None:
    """Crawl time is when an entry was written, not when its feed was fetched: a
    refresh fetched 30 s ago that spent its time in full-text extraction and the
    writer's queue commits after Fluent synced entries crawled 5 s ago. Fluent asks
    ``ot=<that>`` next and stops at the last id it had; entries stamped with their
    fetch time would fall before ``ot`` and never reach it (clientapis.md §1, rule 10)."""
    ana = replay.ana
    client = Fluent(Wire(replay.server.port, "/api/greader.php"))
    client.login("ana", API_PASSWORD)
    now = datetime.now(UTC)
    replay.refresh(replay.feeds["tech"], [entry("fast", 1)], crawled=now - timedelta(seconds=5))
    client.sync()
    _same(client.view, replay, ana)
    fetched = now - timedelta(seconds=30)  # the slow one began before the fast one
    update = FeedUpdate(
        feed_id=replay.feeds["news"],  # type: ignore[arg-type]
        fetched_at=fetched,
        next_check_at=fetched + timedelta(hours=1),
        title="Feed",
        link="https://site.example/",
    )
    slow = [EntryUpdate(entry("slow", i), f"h-slow-{i}", True) for i in range(3)]

    async def write() -> None:  # through the app's own writer, as a refresh writes
        await replay.agg._writer.apply(update, slow)

    before = replay.articles(ana)
    asyncio.run(write())
    written = replay.articles(ana) - before
    assert len(written) == 3
    client.sync()
    assert written <= set(client.view.articles)
    _same(client.view, replay, ana)


def test_long_lists_page_through_continuation(replay: Replay) -> None:
    """1,100 unread entries: Read You and Fluent need a second page at n=1000 (Fluent
    only because the first was full); Fluent fetches its 250 newest; Capy's n=10000
    is one page and four contents requests of 250 and one of 100."""
    ana = replay.ana
    before = replay.articles(ana)
    replay.store(
        ana,
        "https://bulk.example/feed",
        [entry("bulk", i) for i in range(1100)],
        category="Bulk",
        crawled=NOW - timedelta(days=1),
    )
    read_you = ReadYou(Wire(replay.server.port, BASE))
    read_you.login("ana", API_PASSWORD)
    read_you.sync()
    _same(read_you.view, replay, ana)
    assert any("xt=" in p and "&c=" in p for p in _paths(read_you.wire))
    _shown_right(read_you.view, replay, ana)

    fluent = Fluent(Wire(replay.server.port, "/api/greader.php"))
    fluent.login("ana", API_PASSWORD)
    fluent.sync()
    assert any("xt=" in p and "&c=" in p for p in _paths(fluent.wire))
    bulk = replay.articles(ana) - before
    assert len(bulk) == 1100
    newest = sorted(bulk, reverse=True)[: Fluent.FETCH_LIMIT]
    assert sorted(fluent.view.articles, reverse=True) == newest
    assert fluent.view.unread == set(newest) & replay.unread(ana)

    capy = Capy(Wire(replay.server.port, BASE))
    capy.login("ana", API_PASSWORD)
    capy.refresh()
    _same(capy.view, replay, ana, articles=replay.unread(ana) | replay.starred(ana))
    assert not any("&c=" in p for p in _paths(capy.wire))
    assert sum("stream/items/contents" in p for p in _paths(capy.wire)) == 5

    # Read You marks them all read, 500 ids an edit-tag; every client converges
    answers = read_you.edit(sorted(bulk), READ, add=True)
    assert len(answers) == 3 and not bulk & replay.unread(ana)
    read_you.sync()
    _same(read_you.view, replay, ana)
    fluent.sync()
    assert fluent.view.unread == set(fluent.view.articles) & replay.unread(ana)
    capy.refresh()
    assert capy.view.unread == replay.unread(ana) and not bulk & capy.view.unread


def test_nothing_of_bobs_own_feed_reaches_ana(replay: Replay) -> None:
    ana, bob = replay.ana, replay.bob
    bobs = replay.feeds["bobs"]
    theirs = set(replay.entry_ids(bob.id, bobs))
    bob_before = (replay.unread(bob), replay.starred(bob), replay.folders(bob))
    assert theirs and not theirs & replay.articles(ana)

    read_you = ReadYou(Wire(replay.server.port, BASE))
    read_you.login("ana", API_PASSWORD)
    read_you.sync()
    capy = Capy(Wire(replay.server.port, BASE))
    capy.login("ana", API_PASSWORD)
    capy.refresh()
    fluent = Fluent(Wire(replay.server.port, "/api/greader.php"))
    fluent.login("ana", API_PASSWORD)
    fluent.sync()
    for view in (read_you.view, capy.view, fluent.view):
        assert not theirs & set(view.articles)
        assert bobs not in view.folders
        assert bobs not in {feed_of(a) for a in view.articles.values()}

    # asking for it by name gets nothing, and writing to it changes nothing of bob's
    wire = read_you.wire
    t = read_you.t
    base = "reader/api/0/"
    assert not wire.ids(f"s=feed/{bobs}&n=1000&output=json")
    answer = wire.get(f"{base}stream/contents/feed%2F{bobs}?output=json&n=100")
    assert answer.status != 200 or answer.json["items"] == []
    body = "&".join(f"i={i}" for i in sorted(theirs)) + f"&T={t}"
    answer = wire.post(f"{base}stream/items/contents?output=json", body)
    assert answer.status != 200 or answer.json["items"] == []
    wire.post(f"{base}edit-tag?output=json", body + f"&a={READ}&a={STARRED}")
    wire.post(f"{base}edit-tag?output=json", body + "&a=user/-/label/Peek")
    wire.post(f"{base}mark-all-as-read", form(("s", f"feed/{bobs}"), ("T", t)))
    wire.post(
        f"{base}subscription/edit",
        form(("s", f"feed/{bobs}"), ("ac", "edit"), ("a", "user/-/label/Mine"), ("T", t)),
    )
    wire.post(f"{base}subscription/edit", form(("s", f"feed/{bobs}"), ("ac", "unsubscribe")))
    assert (replay.unread(bob), replay.starred(bob), replay.folders(bob)) == bob_before
    assert not theirs & replay.articles(ana) and bobs not in replay.folders(ana)
    counts = wire.get(f"{base}unread-count?output=json").json["unreadcounts"]
    assert f"feed/{bobs}" not in {c["id"] for c in counts}
    tags = wire.get(f"{base}tag/list?output=json").json["tags"]
    assert not {"user/-/label/Peek", "user/-/label/Mine"} & {t["id"] for t in tags}
    assert not wire.ids("s=user/-/label/Peek&output=json")
    read_you.sync()
    _same(read_you.view, replay, ana)

    # and bob, who follows ana's news feed too, keeps his own states of it whatever
    # ana writes to it, and sees none of her labels
    news = replay.feeds["news"]
    shared = replay.entry_ids(ana.id, news)
    bob_before = (replay.unread(bob), replay.starred(bob), replay.folders(bob))
    read_you.edit(shared, READ, add=True)
    read_you.edit(shared, STARRED, add=True)
    read_you.edit(shared[:2], "user/-/label/Ana only", add=True)
    wire.post(f"{base}mark-all-as-read", form(("s", f"feed/{news}"), ("T", t)))
    wire.post(
        f"{base}subscription/edit",
        form(("s", f"feed/{news}"), ("ac", "edit"), ("t", "Ana's name"), ("T", t)),
    )
    assert (replay.unread(bob), replay.starred(bob), replay.folders(bob)) == bob_before
    assert not any(replay.agg.get_entry(bob.id, i).tags for i in shared[:2])
    bobs_client = ReadYou(Wire(replay.server.port, BASE))
    bobs_client.login("bob", API_PASSWORD)
    bobs_client.sync()
    _same(bobs_client.view, replay, bob)
    assert theirs <= set(bobs_client.view.articles)
    assert set(shared) & bobs_client.view.unread  # ana's reads are not his
    bob_tags = bobs_client.wire.get("reader/api/0/tag/list?output=json").json["tags"]
    assert "user/-/label/Ana only" not in {t["id"] for t in bob_tags}
    bob_subs = bobs_client.wire.get("reader/api/0/subscription/list?output=json").json
    assert "Ana's name" not in {s["title"] for s in bob_subs["subscriptions"]}
