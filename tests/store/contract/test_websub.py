"""WebSubStore: one subscription per feed whose hub we asked to push."""

from __future__ import annotations

from datetime import timedelta

from tidings.model import EntryFilter, FeedId
from tidings.ports import Store

from .samples import NOW, URL, new, ok

HUB = "https://hub.example/"
WEEK = timedelta(days=7)


def _hub_feed(store: Store) -> FeedId:
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.add_feed(user, "https://x.example/no-hub", category=None, now=NOW)
    store.apply_refresh(ok(feed.id, hub=HUB), [])
    return feed.id


def _request(store: Store, feed_id: FeedId, callback: str = "cb1", hub: str = HUB) -> None:
    store.request_websub(
        feed_id, hub=hub, topic=URL, callback_id=callback, secret="s3cret", now=NOW
    )


def test_candidates_are_feeds_with_a_hub_never_asked(store: Store) -> None:
    feed_id = _hub_feed(store)
    assert store.get_websub_candidates(now=NOW, retry_before=NOW - WEEK) == [
        (feed_id, URL, HUB, None)
    ]
    assert store.get_websub_candidates(now=NOW, retry_before=NOW, limit=0) == []


def test_request_then_verify_then_push(store: Store) -> None:
    feed_id = _hub_feed(store)
    _request(store, feed_id)
    sub = store.get_websub("cb1")
    assert sub is not None
    assert (sub.feed_id, sub.feed_url, sub.hub, sub.topic) == (feed_id, URL, HUB, URL)
    assert (sub.secret, sub.state, sub.requested_at) == ("s3cret", "requested", NOW)
    assert store.get_websub("unknown") is None
    # not verified: asked again only after retry_before passes the request
    assert store.get_websub_candidates(now=NOW, retry_before=NOW) == []
    [(fid, _, _, stored)] = store.get_websub_candidates(
        now=NOW, retry_before=NOW + timedelta(hours=1)
    )
    assert fid == feed_id and stored == sub
    expires = NOW + timedelta(days=10)
    store.update_websub(feed_id, state="active", expires_at=expires, lease_seconds=10 * 86400)
    store.record_websub_push(feed_id, NOW + timedelta(hours=2))
    sub = store.get_websub("cb1")
    assert sub is not None and sub.state == "active" and sub.expires_at == expires
    assert sub.last_push_at == NOW + timedelta(hours=2) and sub.last_error is None
    # active: a candidate again in the lease's last day only
    assert store.get_websub_candidates(now=NOW + timedelta(days=8), retry_before=NOW) == []
    renew = store.get_websub_candidates(now=NOW + timedelta(days=9, hours=1), retry_before=NOW)
    assert [c[0] for c in renew] == [feed_id]


def test_a_renewal_stays_active_unless_the_hub_or_callback_changes(store: Store) -> None:
    feed_id = _hub_feed(store)
    _request(store, feed_id)
    store.update_websub(feed_id, state="active", expires_at=NOW + WEEK)
    _request(store, feed_id)
    assert (sub := store.get_websub("cb1")) is not None and sub.state == "active"
    _request(store, feed_id, callback="cb2")
    assert store.get_websub("cb1") is None
    assert (sub := store.get_websub("cb2")) is not None and sub.state == "requested"


def test_denied_is_retried_a_week_later_and_errors_are_kept(store: Store) -> None:
    feed_id = _hub_feed(store)
    _request(store, feed_id)
    store.update_websub(feed_id, state="denied", error="hub said no")
    sub = store.get_websub("cb1")
    assert sub is not None and sub.state == "denied" and sub.last_error == "hub said no"
    assert store.get_websub_candidates(now=NOW, retry_before=NOW + timedelta(days=1)) == []
    later = store.get_websub_candidates(now=NOW, retry_before=NOW + timedelta(days=6, hours=1))
    assert [c[0] for c in later] == [feed_id]


def test_the_subscription_goes_with_its_feed(store: Store) -> None:
    feed_id = _hub_feed(store)
    _request(store, feed_id)
    user = store.ensure_user("u")
    store.remove_feed(user, URL)
    assert store.get_websub("cb1") is None
    assert store.get_websub_candidates(now=NOW, retry_before=NOW + WEEK) == []


def test_a_feed_kept_only_for_starred_entries_is_no_candidate(store: Store) -> None:
    """Unsubscribing keeps the starred entries (#11), not the hub's pushes."""
    user = store.ensure_user("u")
    feed = store.add_feed(user, URL, category=None, now=NOW)
    store.apply_refresh(ok(feed.id, hub=HUB), new(1))
    (kept,) = store.get_entries(user, EntryFilter())
    store.mark_entry(user, kept.id, starred=True, now=NOW)
    store.remove_feed(user, URL)
    assert store.get_websub_candidates(now=NOW, retry_before=NOW) == []
