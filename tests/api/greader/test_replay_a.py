"""NetNewsWire, Vienna, Reeder and FeedMe replayed against the real app over loopback
(clientapis.md §3.1, §3.5, §3.6, §4), each reduced by its own rules and compared with
what the web reader has; then the server moves on and the next sync must converge,
and the client's writes must land."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from feeds import rss
from feedserver import FeedServer

from api.fever.conftest import API_PASSWORD, NOW, Replay, entry
from api.greader.replay_a import (
    READ,
    STARRED,
    FeedMe,
    NetNewsWire,
    Recording,
    Reeder,
    Vienna,
    View,
    answers_json,
)
from tidings.model import User

NNW_BASE = "/api/greader.php/"


def _same(view: View, replay: Replay, user: User, *, all_articles: bool = True) -> None:
    unread, starred = replay.unread(user), replay.starred(user)
    if all_articles:
        assert set(view.articles) == replay.articles(user)
    else:  # a client that fetches only unread and starred items
        assert set(view.articles) >= unread | starred
    assert view.unread == unread
    assert view.starred == starred
    assert view.folders == replay.folders(user)
    counts = {int(s.id): s.unread for s in replay.agg.sync.get_subscriptions(user.id)}
    assert view.unread_counts() == counts


def _now() -> datetime:
    return datetime.now(UTC)


def _nnw(replay: Replay, user: str = "ana") -> NetNewsWire:
    client = NetNewsWire(Recording(replay.server.port, NNW_BASE))
    client.login(user, API_PASSWORD)
    return client


def test_netnewswire_first_sync_incremental_sync_and_writes(replay: Replay) -> None:
    ana = replay.ana
    client = _nnw(replay)
    client.refresh_all()
    assert set(client.since) == replay.articles(ana)  # first run: now - 3 months
    _same(client.view, replay, ana)
    tech = replay.feeds["tech"]
    assert client.view.folders[tech] == "Tech & Stuff"
    assert client.view.folders[replay.feeds["loose"]] is None  # top level

    new, _ = replay.move_on()
    client.refresh_all()
    # `ot` is on crawl time: the back-dated new entries, and nothing older
    assert set(client.since) == new and min(new) not in client.view.unread
    _same(client.view, replay, ana)

    # queued changes, sent by edit-tag with unpadded long ids, then steps 5 and 6
    unread = sorted(client.view.unread)
    read = sorted(set(client.view.articles) - client.view.unread - client.view.starred)
    client.mark({unread[0], unread[1]}, read=True)
    client.mark({read[0]}, read=False)
    client.mark({unread[2], read[1]}, starred=True)
    starred = sorted(client.view.starred - {unread[2], read[1]})
    client.mark({starred[0]}, starred=False)
    client.sync_article_status()
    assert not {unread[0], unread[1]} & replay.unread(ana)
    assert read[0] in replay.unread(ana)
    assert {unread[2], read[1]} <= replay.starred(ana)
    assert starred[0] not in replay.starred(ana)
    # set, not toggled: the same change again changes nothing
    client.mark({unread[0]}, read=True)
    client.mark({unread[2]}, starred=True)
    client.sync_article_status()
    assert unread[0] not in replay.unread(ana) and unread[2] in replay.starred(ana)
    client.refresh_all()
    _same(client.view, replay, ana)
    assert all(s == 200 for m, p, s in client.wire.log)
    # a stale edit token: 401 with the bad-token header, a new token, one retry
    client.token = "stale"
    client.mark({unread[3]}, read=True)
    client.sync_article_status()
    assert unread[3] not in replay.unread(ana)
    edits = [s for m, p, s in client.wire.log if p.endswith("edit-tag")]
    assert edits[-2:] == [401, 200]


def test_netnewswire_folders_and_a_new_feed(replay: Replay, feed_server: FeedServer) -> None:
    ana = replay.ana
    client = _nnw(replay)
    client.refresh_all()
    news, tech = replay.feeds["news"], replay.feeds["tech"]
    # rename, with a space and an ampersand encoded as NetNewsWire does
    client.rename_folder("News", "World & Co")
    assert replay.folders(ana)[news] == "World & Co"
    assert replay.folders(replay.bob)[news] == "Bob's"
    client.refresh_all()
    assert client.view.folders[news] == "World & Co"
    _same(client.view, replay, ana)
    # delete: its feeds unsubscribed (in no other folder), then disable-tag
    client.delete_folder("Tech & Stuff")
    assert tech not in replay.folders(ana)
    assert "Tech & Stuff" not in {name for _, name in replay.agg.sync.get_category_ids(ana.id)}
    client.refresh_all()
    assert not any("Tech" in t for t in client.tags)
    _same(client.view, replay, ana)
    # quickadd of a feed on loopback, then into a folder
    feed_server.set("/feed.xml", rss(5, title="Loopback News", base="https://loop.example/"))
    url = feed_server.url("/feed.xml")
    added = client.add_feed(url, "Later & Soon", lambda: asyncio.run(replay.agg.refresh([url])))
    assert replay.folders(ana)[added] == "Later & Soon"
    assert len(replay.entry_ids(ana.id, added)) == 5
    client.refresh_all()
    assert client.view.folders[added] == "Later & Soon"
    _same(client.view, replay, ana)


def test_a_run_past_one_page_arrives_whole(replay: Replay) -> None:
    ana = replay.ana
    before = replay.articles(ana)
    replay.store(ana, "https://run.example/feed", [entry("run", i) for i in range(1001)])
    run = sorted(replay.articles(ana) - before)
    assert len(run) == 1001
    replay.agg.sync.set_flags(ana.id, run[::100], read=True)
    assert len(replay.unread(ana)) > 1000  # the unread list needs a second page too
    client = _nnw(replay)
    client.refresh_all()
    assert [len(p) for p in client.pages] == [1000, len(replay.articles(ana)) - 1000]
    assert len(client.since) == len(set(client.since)) == len(replay.articles(ana))
    _same(client.view, replay, ana)  # "not in the unread list" is read: it is complete
    pages = [p for m, p, s in client.wire.log if "xt=" in p]
    assert len(pages) == 2 and "&c=" in pages[1]
    # the whole run read at once: edit-tag in POSTs of at most 1000 ids
    client.mark(set(run), read=True)
    client.sync_article_status()
    edits = [p for m, p, s in client.wire.log if p.endswith("edit-tag")]
    assert len(edits) == 2
    assert not set(run) & replay.unread(ana)
    client.refresh_all()
    _same(client.view, replay, ana)


def _vienna_changes(replay: Replay) -> None:
    """Changes in two feeds, each changing its unread count (what Vienna looks at)."""
    ana = replay.ana
    news, tech = replay.feeds["news"], replay.feeds["tech"]
    replay.refresh(
        news,
        [entry("late", i, published=NOW - timedelta(days=30)) for i in range(4)],
        crawled=_now(),
    )
    in_news = sorted(set(replay.entry_ids(ana.id, news)) & replay.unread(ana))
    replay.agg.mark_entry(ana.id, in_news[0], read=True)
    replay.agg.mark_entry(ana.id, in_news[0], starred=True)
    in_tech = sorted(set(replay.entry_ids(ana.id, tech)) - replay.unread(ana))
    replay.agg.mark_entry(ana.id, in_tech[0], read=False)
    for i in sorted(set(replay.entry_ids(ana.id, tech)) & replay.starred(ana))[:1]:
        replay.agg.mark_entry(ana.id, i, starred=False)


@pytest.mark.parametrize("base", ["/", NNW_BASE])
def test_vienna_per_feed_sync_and_writes(replay: Replay, base: str) -> None:
    ana = replay.ana
    client = Vienna(Recording(replay.server.port, base))
    client.login("ana", API_PASSWORD)
    client.sync()
    assert sorted(client.refreshed) == sorted(replay.folders(ana))  # every feed, first
    _same(client.view, replay, ana)

    _vienna_changes(replay)
    client.sync()
    assert sorted(client.refreshed) == sorted([replay.feeds["news"], replay.feeds["tech"]])
    _same(client.view, replay, ana)
    contents = [p for m, p, s in client.wire.log if "stream/contents/feed%2F" in p]
    assert all("&ot=" in p for p in contents[len(replay.folders(ana)) :])

    # writes: edit-tag with async=true and the long id, then mark-all-as-read by feed
    view = client.view
    target = sorted(view.unread)[0]
    client.edit(target, "a", READ)
    client.edit(target, "a", STARRED)
    assert target not in replay.unread(ana) and target in replay.starred(ana)
    client.edit(target, "r", READ)
    client.edit(target, "r", STARRED)
    assert target in replay.unread(ana) and target not in replay.starred(ana)
    loose = replay.feeds["loose"]
    # crawled after the client's last look: `ts` is compared with crawl time
    replay.refresh(loose, [entry("after", 1)], crawled=_now() + timedelta(minutes=5))
    after = max(replay.articles(ana))
    client.mark_feed_read(loose)
    assert set(replay.entry_ids(ana.id, loose)) & replay.unread(ana) == {after}
    client.sync()
    _same(client.view, replay, ana)


def test_vienna_lists_every_feed_with_a_numeric_newest_time(replay: Replay) -> None:
    replay.store(replay.ana, "https://empty.example/feed", [])  # no entries at all
    wire = Recording(replay.server.port, "/")
    client = Vienna(wire)
    client.login("ana", API_PASSWORD)
    client.sync()
    assert set(client.counts) == set(replay.folders(replay.ana))
    newest = {f: t for f, (_, t) in client.counts.items()}
    assert all(newest[replay.feeds[k]] > 0 for k in ("news", "tech", "loose", "nolink"))


def test_reeder_quirks(replay: Replay) -> None:
    ana = replay.ana
    wire = Recording(replay.server.port, NNW_BASE)
    assert wire.login("ana", API_PASSWORD).status == 200
    client = Reeder(wire)
    client.sync()
    _same(client.view, replay, ana, all_articles=False)
    replay.move_on()
    client.sync()
    _same(client.view, replay, ana, all_articles=False)
    # edits with T=x and bare 16-hex ids
    target = sorted(client.view.unread)[0]
    client.edit(target, "a", READ)
    client.edit(target, "a", STARRED)
    assert target not in replay.unread(ana) and target in replay.starred(ana)
    client.edit(target, "r", STARRED)
    client.edit(target, "r", STARRED)  # unstar twice: still unstarred
    assert target not in replay.starred(ana)
    client.edit(target, "r", READ)
    assert target in replay.unread(ana)
    # feed/feed/<id>
    client.move(replay.feeds["loose"], "Loose Ends")
    assert replay.folders(ana)[replay.feeds["loose"]] == "Loose Ends"
    client.sync()
    _same(client.view, replay, ana, all_articles=False)


def test_feedme_quirks(replay: Replay) -> None:
    ana = replay.ana
    wire = Recording(replay.server.port, NNW_BASE)
    assert wire.login("ana", API_PASSWORD).status == 200
    client = FeedMe(wire)
    client.sync()
    assert client.user == "ana"
    _same(client.view, replay, ana, all_articles=False)
    # a folder's stream by s=
    news = client.contents("ot=0&s=user/-/label/News")
    assert {int(i["id"][-16:], 16) for i in news} == set(
        replay.entry_ids(ana.id, replay.feeds["news"])
    )
    replay.move_on()
    client.sync()
    _same(client.view, replay, ana, all_articles=False)
    target = sorted(client.view.unread)[0]
    client.edit(target, "a", READ)
    client.edit(target, "a", STARRED)
    assert target not in replay.unread(ana) and target in replay.starred(ana)
    client.sync()
    _same(client.view, replay, ana, all_articles=False)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_ana_never_sees_bobs_feed_or_entries(replay: Replay) -> None:
    ana, bob = replay.ana, replay.bob
    port = replay.server.port
    nnw = _nnw(replay)
    nnw.refresh_all()
    vienna = Vienna(Recording(port, "/"))
    vienna.login("ana", API_PASSWORD)
    vienna.sync()
    others = []
    for make in (Reeder, FeedMe):
        wire = Recording(port, NNW_BASE)
        wire.login("ana", API_PASSWORD)
        client = make(wire)
        client.sync()
        others.append(wire)
    # also ask for bob's feed and entries by name
    bobs = replay.feeds["bobs"]
    bob_only = replay.articles(bob) - replay.articles(ana)
    assert bob_only
    probe = Recording(port, NNW_BASE)
    probe.login("ana", API_PASSWORD)
    named = [
        probe.get(f"reader/api/0/stream/contents/feed%2F{bobs}?output=json").json,
        probe.get(f"reader/api/0/stream/items/ids?s=feed/{bobs}&output=json").json,
        probe.post(
            "reader/api/0/stream/items/contents?output=json",
            "&".join(f"i={i}" for i in bob_only),
        ).json,
    ]
    assert named[0]["id"] == f"feed/{bobs}"  # the stream asked for, echoed
    assert [n.get("items", n.get("itemRefs")) for n in named] == [[], [], []]
    seen: list[str] = []
    for wire in (nnw.wire, vienna.wire, *others):
        assert isinstance(wire, Recording)
        for _, body in answers_json(wire):
            seen += _strings(body)
    bob_streams = {f"feed/{bobs}", "user/-/label/Bob's"}
    bob_items = {str(i) for i in bob_only} | {
        f"tag:google.com,2005:reader/item/{i:016x}" for i in bob_only
    }
    assert not bob_streams & set(seen)
    assert not bob_items & set(seen)
    assert not any(s.startswith("bob story") or "bob.example" in s for s in seen)
    # and bob, syncing the same way, sees his own and only his
    mine = _nnw(replay, "bob")
    mine.refresh_all()
    _same(mine.view, replay, bob)
    assert set(mine.view.folders) == {replay.feeds["news"], bobs}


def test_bobs_writes_never_touch_anas_state(replay: Replay) -> None:
    ana, bob = replay.ana, replay.bob
    wire = Recording(replay.server.port, NNW_BASE)
    assert wire.login("bob", API_PASSWORD).status == 200
    anas_only = sorted(replay.articles(ana) - replay.articles(bob))
    shared = sorted(replay.articles(ana) & replay.articles(bob))
    before = (replay.unread(ana), replay.starred(ana), replay.folders(ana))
    tagged = replay.agg.get_entry(ana.id, anas_only[0]).tags
    ids = "&".join(f"i={i:016x}" for i in anas_only[:5] + shared[:5])
    for key, tag in (("a", READ), ("r", READ), ("a", STARRED), ("a", "user/-/label/Mine")):
        assert wire.post("reader/api/0/edit-tag", f"{ids}&{key}={tag}").status == 200
    for feed in ("tech", "news"):
        body = f"s=feed/{replay.feeds[feed]}"
        assert wire.post("reader/api/0/mark-all-as-read", body).status == 200
    assert wire.post("reader/api/0/mark-all-as-read", "s=user/-/label/News").status == 200
    body = f"s=feed/{replay.feeds['tech']}&ac=edit&a=user/-/label/Bobs"
    wire.post("reader/api/0/subscription/edit", body)
    body = f"s=feed/{replay.feeds['tech']}&ac=unsubscribe"
    wire.post("reader/api/0/subscription/edit", body)
    wire.post("reader/api/0/rename-tag", "s=user/-/label/News&dest=user/-/label/Gone")
    wire.post("reader/api/0/disable-tag", "s=user/-/label/Tech%20%26%20Stuff")
    assert (replay.unread(ana), replay.starred(ana), replay.folders(ana)) == before
    assert replay.agg.get_entry(ana.id, anas_only[0]).tags == tagged
    # bob's tag on a shared entry is his: not in ana's tags nor her item's categories
    assert replay.agg.get_entry(bob.id, shared[0]).tags == ("Mine",)
    mine = Recording(replay.server.port, NNW_BASE)
    mine.login("ana", API_PASSWORD)
    tags = mine.get("reader/api/0/tag/list?output=json").json["tags"]
    assert not any(t["id"].endswith("/Mine") for t in tags)
    item = mine.post("reader/api/0/stream/items/contents", f"i={shared[0]}").json["items"][0]
    assert "user/-/label/Mine" not in item["categories"]
    assert mine.ids("s=user/-/label/Mine") == []
    # bob's own state of the shared feed moved
    assert not set(replay.entry_ids(bob.id, replay.feeds["news"])) & replay.unread(bob)


def test_a_feed_followed_on_the_web_reaches_netnewswire_by_ot(replay: Replay) -> None:
    """Entries crawled for bob days ago enter ana's list when she follows the feed:
    for her they arrived then ("crawled at or after ``ot``" is when an entry came into
    the user's reading list), so one she reads on the web before the next sync still
    reaches the app through step 4."""
    ana = replay.ana
    client = _nnw(replay)
    client.refresh_all()
    before = replay.articles(ana)
    replay.agg.store.add_feed(ana.id, "https://bob.example/feed", category=None, now=_now())
    arrived = replay.articles(ana) - before
    assert len(arrived) == 3
    replay.agg.mark_entry(ana.id, min(arrived), read=True)
    client.refresh_all()
    assert set(client.since) == arrived
    _same(client.view, replay, ana)


def test_mark_all_as_read_spares_entries_that_arrived_after_ts(replay: Replay) -> None:
    """``ts`` is compared with when an entry came into the user's list: following a
    feed after ``ts`` brings its older entries in unread, and a mark-all-as-read with
    that ``ts`` leaves them so (pitfall 29: never mark what the app never saw)."""
    ana = replay.ana
    wire = Recording(replay.server.port, "/")
    wire.login("ana", API_PASSWORD)
    ts = int((_now() - timedelta(hours=1)).timestamp()) * 10**6
    before = replay.articles(ana)
    state = replay.agg.store.add_feed(ana.id, "https://bob.example/feed", category=None, now=_now())
    arrived = replay.articles(ana) - before
    body = f"s=feed/{int(state.id)}&ts={ts}&T=x"
    assert wire.post("reader/api/0/mark-all-as-read", body).status == 200
    assert arrived <= replay.unread(ana)
    assert (
        wire.post(
            "reader/api/0/mark-all-as-read", "s=user/-/state/com.google/reading-list&ts=" + str(ts)
        ).status
        == 200
    )
    assert arrived <= replay.unread(ana)
    assert not (before & replay.unread(ana))  # everything she had before ts is read


def test_a_feed_followed_again_comes_back_whole(replay: Replay) -> None:
    """Unfollowed while one of its entries is starred (the subscription is kept for
    it), then followed again after a sync: every entry of the feed came back into the
    list then, the read ones too, so they reach the app through ``ot``."""
    ana = replay.ana
    news = replay.feeds["news"]
    client = _nnw(replay)
    client.refresh_all()
    in_news = set(replay.entry_ids(ana.id, news))
    kept = min(in_news & replay.starred(ana))
    replay.agg.remove_feed(ana.id, "https://news.example/feed")
    assert not replay.articles(ana) & in_news  # the starred one is kept, unlisted
    assert replay.agg.get_entry(ana.id, kept).starred
    client.refresh_all()
    assert news not in client.view.folders
    replay.agg.store.add_feed(ana.id, "https://news.example/feed", category="News", now=_now())
    assert in_news - replay.unread(ana)  # some of them read
    client.refresh_all()
    assert set(client.since) >= in_news
    _same(client.view, replay, ana)
