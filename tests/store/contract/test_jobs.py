"""JobQueue: feeds claimed with a lease, renewed, released, ended by their result (#10, #13)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from importlib import resources

import pytest

from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite.engine import _statements
from tidings.core.urls import host_of
from tidings.model import FeedId, FeedState, FeedUpdate
from tidings.ports import Store

from .samples import NOW

LEASE = 600.0
HOUR = timedelta(hours=1)


def feeds(store: Store, urls: list[str], *, due: datetime = NOW - HOUR) -> list[FeedState]:
    """Subscribe to ``urls``, due in the order added (a second apart from ``due``)."""
    user = store.ensure_user("alice")
    added = []
    for url in urls:
        state = store.add_feed(user, url, category=None, now=due)
        store.set_feed_options(state.id, next_check_at=due + timedelta(seconds=state.id))
        added.append(state)
    return added


def claim(
    store: Store,
    owner: str,
    *,
    limit: int = 100,
    per_host: int = 100,
    now: datetime = NOW + timedelta(minutes=1),
) -> list[FeedId]:
    got = store.claim_due(owner, now=now, limit=limit, lease_seconds=LEASE, per_host=per_host)
    return [s.id for s in got]


def test_two_owners_never_get_the_same_feed(store: Store) -> None:
    added = feeds(store, [f"https://s{i}.example/feed" for i in range(10)])
    a = claim(store, "a", limit=4)
    b = claim(store, "b")
    assert a == [s.id for s in added[:4]]  # soonest due first
    assert b == [s.id for s in added[4:]]
    assert claim(store, "c") == []
    assert store.claim_feeds("c", [s.id for s in added], now=NOW, lease_seconds=LEASE) == []
    assert store.get_lease_owners(NOW) == ["a", "b"]


def test_claim_due_takes_only_followed_enabled_due_feeds(store: Store) -> None:
    later, gone, off, due = feeds(store, [f"https://s{i}.example/feed" for i in range(4)])
    store.set_feed_options(later.id, next_check_at=NOW + timedelta(hours=2))
    store.remove_feed(store.ensure_user("alice"), gone.url)
    store.apply_refresh(FeedUpdate(off.id, NOW, NOW, error="gone", disabled=True), [])
    assert claim(store, "a") == [due.id]
    # due_by: only feeds due by then, though the lease clock is later
    other = feeds(store, ["https://late.example/feed"], due=NOW + timedelta(minutes=30))[0]
    got = store.claim_due(
        "b",
        now=NOW + timedelta(minutes=5),
        due_by=NOW + timedelta(minutes=10),
        limit=10,
        lease_seconds=LEASE,
        per_host=4,
    )
    assert [s.id for s in got] == []
    # a's lease has expired by then
    assert claim(store, "b", now=NOW + 3 * HOUR) == [due.id, other.id, later.id]


def test_claim_due_passes_over_feeds_only_formerly_followed(store: Store) -> None:
    # a former subscription (kept for starred entries, #11) does not make a feed
    # followed; five such feeds due first fill more than a window of a claim of 2
    added = feeds(store, [f"https://s{i}.example/feed" for i in range(8)])
    former = [s.id for s in added[:5]]
    with store._write() as conn:  # type: ignore[attr-defined]
        conn.execute(
            "UPDATE subscriptions SET unsubscribed_at = ? WHERE feed_id IN (?, ?, ?, ?, ?)",
            (int(NOW.timestamp()), *former),
        )
    assert claim(store, "a", limit=2) == [added[5].id, added[6].id]
    assert claim(store, "b") == [added[7].id]
    # the leases expired: the followed feeds again, still none of the others
    assert claim(store, "c", now=NOW + 3 * HOUR) == [s.id for s in added[5:]]


def test_an_expired_lease_can_be_claimed_by_another_owner(store: Store) -> None:
    (one, two) = feeds(store, ["https://a.example/1", "https://b.example/2"])
    store.claim_due("a", now=NOW, limit=10, lease_seconds=60, per_host=4)
    assert claim(store, "b", now=NOW + timedelta(seconds=59)) == []
    assert claim(store, "b", now=NOW + timedelta(seconds=61)) == [one.id, two.id]
    # claim_feeds follows the same rule
    got = store.claim_feeds(
        "c", [two.id], now=NOW + timedelta(seconds=61 + LEASE), lease_seconds=LEASE
    )
    assert [s.id for s in got] == [two.id]


def test_the_per_host_cap_holds_across_owners(store: Store) -> None:
    a_feeds = feeds(store, [f"https://a.example/{i}" for i in range(6)])
    b_feeds = feeds(store, ["https://B.example:8080/x", "https://user@b.example/y"])
    assert {host_of(s.url) for s in b_feeds} == {"b.example"}
    first = claim(store, "one", per_host=2, limit=1)
    assert first == [a_feeds[0].id]
    second = claim(store, "two", per_host=2)
    assert second == [a_feeds[1].id, b_feeds[0].id, b_feeds[1].id]  # a.example: 1 held by "one"
    assert claim(store, "three", per_host=2) == []
    assert store.release_leases("one") == 1
    assert claim(store, "three", per_host=2) == [a_feeds[0].id]  # released, still due


def test_claim_feeds_leases_named_feeds_due_or_not(store: Store) -> None:
    one, two = feeds(
        store, ["https://a.example/1", "https://a.example/2"], due=NOW + timedelta(days=1)
    )
    got = store.claim_feeds(
        "a", [two.id, one.id, two.id, FeedId(999)], now=NOW, lease_seconds=LEASE
    )
    assert [s.id for s in got] == [two.id, one.id]  # in order, once, missing ones left out
    assert store.claim_feeds("b", [one.id], now=NOW, lease_seconds=LEASE) == []


def test_claim_all_leases_every_followed_feed_not_held(store: Store) -> None:
    one, two, _unfollowed = feeds(
        store,
        ["https://a.example/1", "https://b.example/2", "https://c.example/3"],
        due=NOW + timedelta(days=1),
    )
    store.remove_feed(store.ensure_user("alice"), "https://c.example/3")  # followed by nobody
    assert store.claim_feeds("a", [two.id], now=NOW, lease_seconds=LEASE) != []
    got = store.claim_all("b", now=NOW, lease_seconds=LEASE)
    assert [s.id for s in got] == [one.id]  # not two (a's), not three (unfollowed)
    assert got[0].url == "https://a.example/1" and got[0] == store.get_feed_state(one.id)
    assert store.claim_all("c", now=NOW, lease_seconds=LEASE) == []
    assert [
        s.id
        for s in store.claim_all("a", now=NOW + timedelta(seconds=LEASE + 1), lease_seconds=LEASE)
    ] == [one.id, two.id]  # expired


def test_apply_refresh_ends_the_lease(store: Store) -> None:
    ok, failed = feeds(store, ["https://a.example/1", "https://a.example/2"])
    assert claim(store, "a") == [ok.id, failed.id]
    store.apply_refresh(FeedUpdate(ok.id, NOW, NOW + timedelta(hours=1)), [])
    store.apply_refresh(FeedUpdate(failed.id, NOW, NOW, error="boom"), [])
    got = store.claim_feeds("b", [ok.id, failed.id], now=NOW, lease_seconds=LEASE)
    assert [s.id for s in got] == [ok.id, failed.id]
    assert store.release_leases("a") == 0  # nothing left to release
    assert store.get_lease_owners(NOW) == ["b"]


def test_a_late_result_leaves_the_lease_another_owner_took(store: Store) -> None:
    """a's lease expired (a stalled) and b claimed the feed: a's result, written
    late, records the fetch but leaves b's lease, so no third owner fetches the
    feed while b does."""
    (one,) = feeds(store, ["https://a.example/1"])
    (mine,) = store.claim_due("a", now=NOW, limit=10, lease_seconds=60, per_host=4)
    assert mine.lease_owner == "a"
    later = NOW + timedelta(seconds=61)
    assert claim(store, "b", now=later) == [one.id]
    late = FeedUpdate(one.id, later, later + HOUR, lease_owner=mine.lease_owner)
    store.apply_refresh(late, [])
    assert store.get_lease_owners(later) == ["b"]
    assert store.claim_feeds("c", [one.id], now=later, lease_seconds=LEASE) == []
    # b's own result ends b's lease
    store.apply_refresh(FeedUpdate(one.id, later, later + HOUR, error="x", lease_owner="b"), [])
    assert store.get_lease_owners(later) == []


def test_renew_extends_and_release_ends_an_owners_leases(store: Store) -> None:
    one, two = feeds(store, ["https://a.example/1", "https://b.example/2"])
    store.claim_due("a", now=NOW, limit=10, lease_seconds=60, per_host=4)
    assert store.renew_leases("a", now=NOW + timedelta(seconds=50), lease_seconds=60) == 2
    assert claim(store, "b", now=NOW + timedelta(seconds=100)) == []  # renewed to 110 s
    assert store.renew_leases("b", now=NOW, lease_seconds=60) == 0
    assert store.release_leases("a") == 2
    assert claim(store, "b", now=NOW + timedelta(seconds=100)) == [one.id, two.id]


def test_a_permanent_redirect_moves_the_feed_to_its_new_host(store: Store) -> None:
    (feed,) = feeds(store, ["https://old.example/feed"])
    claim(store, "a")
    moved = FeedUpdate(feed.id, NOW, NOW - 2 * HOUR, url="https://new.example/feed")
    store.apply_refresh(moved, [])
    feeds(store, ["https://new.example/other"])
    assert claim(store, "b", per_host=1) == [feed.id]  # new.example's first: the moved feed


def test_the_migration_fills_hosts_as_the_store_does(store_url: str) -> None:
    if not store_url.startswith("sqlite:///"):
        pytest.skip("the SQLite migration's UPDATE")
    urls = [
        "https://Example.COM/feed",
        "http://u:p@a.example:8080/x?y",
        "https://b.example?q",
        "http://[::1]:8080/feed",
        "https://c.example#f",
        "http://127.0.0.1:9/rss",
    ]
    db = store_url.removeprefix("sqlite:///")
    s = open_store(store_url)
    user = s.ensure_user("u")
    for url in urls:
        s.add_feed(user, url, category=None, now=NOW)
    s.close()
    script = (
        resources.files("tidings.adapters.store.sqlite") / "migrations" / "0006_leases.sql"
    ).read_text("utf-8")
    (fill,) = [st for st in _statements(script) if "UPDATE feeds SET host" in st]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE feeds SET host = ''")
    conn.execute(fill)
    conn.commit()
    rows = conn.execute("SELECT url, host FROM feeds").fetchall()
    conn.close()
    assert {url: host for url, host in rows} == {url: host_of(url) for url in urls}


def test_a_refresh_request_makes_feeds_due_now_never_later(store: Store) -> None:
    later, sooner = feeds(store, ["https://a.example/feed", "https://b.example/feed"], due=NOW + HOUR)
    store.set_feed_options(sooner.id, next_check_at=NOW - HOUR)
    assert claim(store, "a") == [sooner.id]  # overdue; `later` is not due yet
    store.release_leases("a")
    assert store.request_refresh([later.id, sooner.id, FeedId(999)], now=NOW) == 1
    assert store.get_next_check_at() == NOW - HOUR  # the overdue feed was not put off
    assert sorted(claim(store, "b", now=NOW)) == sorted([later.id, sooner.id])
    assert store.request_refresh([], now=NOW) == 0  # only "look now"


def test_refresh_requests_are_heard_across_processes(store: Store, store_url: str) -> None:
    """On PostgreSQL a worker's listener hears any store's request (another process's,
    here another pool); SQLite cannot tell other processes (None)."""
    import threading

    listener, requester = store, open_store(store_url)
    try:
        heard = threading.Event()
        stop = listener.listen_for_requests(heard.set)
        if store_url.startswith("sqlite"):
            assert stop is None
            return
        assert stop is not None
        try:
            (feed,) = feeds(requester, ["https://a.example/feed"], due=NOW + HOUR)
            for _ in range(50):  # the listener's LISTEN may start a moment after
                requester.request_refresh([feed.id], now=NOW)
                if heard.wait(0.2):
                    break
            assert heard.is_set()
        finally:
            stop()
    finally:
        requester.close()
