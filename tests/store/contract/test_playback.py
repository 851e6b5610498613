"""PlaybackStore: where each user stopped an entry's audio or video (#15)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from tidings.errors import NotFoundError
from tidings.model import Enclosure, EntryFilter, EntryId, EntryUpdate
from tidings.ports import Store

from .samples import NOW, URL, entry, feed_with_entries, ok


def test_a_position_is_kept_per_user_and_entry(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    feed_with_entries(store, alice, n=2)
    feed_with_entries(store, bob, n=2)  # the same feed: the same entries
    first, second = (e.id for e in store.get_entries(alice, EntryFilter()))
    assert store.get_playback_position(alice, first) is None
    store.set_playback_position(alice, first, 42.5, now=NOW)
    store.set_playback_position(bob, first, 7, now=NOW)
    assert store.get_playback_position(alice, first) == 42.5
    assert store.get_playback_position(bob, first) == 7.0
    assert store.get_playback_position(alice, second) is None
    store.set_playback_position(alice, first, 0.0014, now=NOW + timedelta(seconds=5))
    assert store.get_playback_position(alice, first) == 0.001  # to the millisecond
    assert store.get_playback_position(bob, first) == 7.0


def test_an_entry_the_user_cannot_see_has_no_position(store: Store) -> None:
    alice, carol = store.ensure_user("alice"), store.ensure_user("carol")
    feed_with_entries(store, alice, n=1)
    entry_id = store.get_entries(alice, EntryFilter())[0].id
    store.set_playback_position(alice, entry_id, 10, now=NOW)
    with pytest.raises(NotFoundError):
        store.set_playback_position(carol, entry_id, 10, now=NOW)
    with pytest.raises(NotFoundError):
        store.set_playback_position(alice, EntryId(entry_id + 1000), 10, now=NOW)
    assert store.get_playback_position(carol, entry_id) is None
    store.remove_feed(alice, URL)  # the entry goes, and its position with it
    assert store.get_playback_position(alice, entry_id) is None


@pytest.mark.parametrize("seconds", [-1.0, math.nan, math.inf, 8 * 24 * 3600.0])
def test_a_position_that_is_no_position_is_refused(store: Store, seconds: float) -> None:
    alice = store.ensure_user("alice")
    feed_with_entries(store, alice, n=1)
    entry_id = store.get_entries(alice, EntryFilter())[0].id
    with pytest.raises(ValueError):
        store.set_playback_position(alice, entry_id, seconds, now=NOW)
    assert store.get_playback_position(alice, entry_id) is None


def test_an_enclosure_keeps_its_duration(store: Store) -> None:
    alice = store.ensure_user("alice")
    feed = store.add_feed(alice, URL, category=None, now=NOW)
    files = (
        Enclosure("https://x.example/a.mp3", "audio/mpeg", 10, 2520),
        Enclosure("https://x.example/b.jpg", "image/jpeg"),
    )
    store.apply_refresh(ok(feed.id), [EntryUpdate(entry(1, enclosures=files), "h", is_new=True)])
    assert store.get_entries(alice, EntryFilter())[0].enclosures == files
