"""One story once: fingerprints, the clustering decision, and clusters in the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from story.pages import paragraphs
from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite import SqliteStore
from tidings.content import cluster, fingerprint
from tidings.content.cluster import StoryPrint, choose_cluster, match_distance
from tidings.content.story import FeedInfo, build_update
from tidings.content.words import tokens
from tidings.model import EntryData, EntryFilter, EntryUpdate, FeedId, FeedUpdate, FullTextMode
from tidings.ports import Store

WORDS = tokens(" ".join(paragraphs(0)))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/a/b/", "http://example.com/a/b"),
        ("https://example.com/a/b?utm_source=x&id=2", "https://m.example.com/a/b?id=2"),
        ("https://example.com/a/b/amp", "https://amp.example.com/a/b"),
        ("https://example.com/a?y=2&x=1", "https://example.com/a?x=1&y=2"),
        ("https://example.com/a#xtor=RSS-1", "https://example.com/a"),
    ],
)
def test_same_page_same_canonical_url(a: str, b: str) -> None:
    assert fingerprint.canonical_url(a) == fingerprint.canonical_url(b) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://example.com/2017/06/26.html#a080636",
            "https://example.com/2017/06/26.html#a110613",
        ),
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/a", "https://example.org/a"),
    ],
)
def test_different_pages_differ(a: str, b: str) -> None:
    assert fingerprint.canonical_url(a) != fingerprint.canonical_url(b)


@pytest.mark.parametrize(
    "url", ["https://example.com/", "https://example.com", "javascript:x", None]
)
def test_site_roots_and_odd_urls_have_no_key(url: str | None) -> None:
    assert fingerprint.canonical_url(url) is None


def test_minhash_estimates_similarity() -> None:
    sig = fingerprint.minhash(WORDS)
    assert sig is not None and len(sig) == 64
    assert fingerprint.jaccard(sig, sig) == 1.0
    edited = list(WORDS)
    edited[10] = "changed"
    trimmed = WORDS[: int(len(WORDS) * 0.85)]
    other = fingerprint.minhash(tokens(" ".join(paragraphs(3))))
    assert other is not None
    for near in (edited, trimmed):
        near_sig = fingerprint.minhash(near)
        assert (
            near_sig is not None and fingerprint.jaccard(sig, near_sig) >= fingerprint.MIN_JACCARD
        )
    assert fingerprint.jaccard(sig, other) < fingerprint.MIN_JACCARD
    assert fingerprint.minhash(WORDS[:10]) is None
    assert fingerprint.minhash_from_bytes(fingerprint.minhash_to_bytes(sig)) == sig


@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=4), min_size=30, max_size=80))
def test_copies_share_every_band(words: list[str]) -> None:
    sig = fingerprint.minhash(words)
    assert sig is not None
    assert fingerprint.band_keys(sig) == fingerprint.band_keys(
        fingerprint.minhash(list(words)) or ()
    )


def _print(entry: int, feed: int, **kw: object) -> StoryPrint:
    return StoryPrint(entry, feed, None, kw.pop("url", None), **kw)  # type: ignore[arg-type]


def test_clustering_decision() -> None:
    sig = fingerprint.minhash(WORDS)
    new = _print(10, 1, url="x.example/a", text_key="t", minhash=sig)
    assert match_distance(new, _print(1, 2, url="x.example/a")) == 0.0
    assert match_distance(new, _print(2, 2, text_key="t")) == 0.0
    assert match_distance(new, _print(3, 2, minhash=sig)) == 0.0
    assert match_distance(new, _print(4, 1, url="x.example/a")) is None  # same feed
    assert match_distance(new, _print(5, 2, url="x.example/b")) is None
    assert choose_cluster(new, [_print(5, 2), StoryPrint(6, 3, 4, "x.example/a")]) == 4
    assert choose_cluster(new, [_print(5, 2)]) is None


# In the store: copies arriving from different feeds form one cluster.

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


def _add(
    store: Store,
    feed_id: FeedId,
    guid: str,
    link: str,
    body: list[str],
    now: datetime = NOW,
) -> None:
    data = EntryData(id=guid, title=guid, link=link, content="".join(f"<p>{p}</p>" for p in body))
    update = build_update(
        EntryUpdate(data, "h", is_new=True), FeedInfo(id=feed_id, mode=FullTextMode.NEVER), None, ()
    )
    store.apply_refresh(
        FeedUpdate(feed_id=feed_id, fetched_at=now, next_check_at=now + timedelta(hours=1)),
        [update],
    )


def test_copies_are_clustered_listed_once_and_linked(store: Store) -> None:
    user = store.ensure_user("u")
    a = store.add_feed(user, "https://a.example/feed", category=None, now=NOW).id
    b = store.add_feed(user, "https://b.example/feed", category=None, now=NOW).id
    c = store.add_feed(user, "https://c.example/feed", category=None, now=NOW).id
    story = paragraphs(0)
    _add(store, a, "a1", "https://a.example/harbour", story[:1])  # a teaser
    _add(store, b, "b1", "https://b.example/copy", story)  # the full story, another URL
    _add(store, c, "c1", "https://www.a.example/harbour?utm_source=x", story[:1])  # URL copy
    _add(store, c, "c2", "https://c.example/other", paragraphs(3))  # another story

    listed = store.get_entries(user, EntryFilter())
    assert sorted(e.guid for e in listed) == ["b1", "c2"]  # the story once, its best copy
    best = next(e for e in listed if e.guid == "b1")
    assert best.cluster_id is not None
    assert sorted(d.link or "" for d in best.duplicates) == [
        "https://a.example/harbour",
        "https://www.a.example/harbour",  # tracking parameters are stripped from links
    ]
    # feeds never fetched have no title yet: their URL stands in
    assert {d.feed_title for d in best.duplicates} == {
        "https://a.example/feed",
        "https://c.example/feed",
    }
    teaser = next(
        e for e in store.get_entries(user, EntryFilter(feed_url="https://a.example/feed"))
    )
    assert teaser.cluster_id == best.cluster_id  # a feed's own listing still shows its copy
    assert {d.id for d in teaser.duplicates} == {best.id, *(d.id for d in best.duplicates)} - {
        teaser.id
    }
    other = next(e for e in listed if e.guid == "c2")
    assert other.cluster_id != best.cluster_id and other.duplicates == ()


def test_copies_in_feeds_the_user_does_not_follow_stay_private(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    a = store.add_feed(alice, "https://a.example/feed", category=None, now=NOW).id
    b = store.add_feed(bob, "https://b.example/feed", category=None, now=NOW).id
    _add(store, a, "a1", "https://a.example/x", paragraphs(1))
    _add(store, b, "b1", "https://b.example/y", paragraphs(1))
    (mine,) = store.get_entries(alice, EntryFilter())
    (theirs,) = store.get_entries(bob, EntryFilter())
    assert mine.cluster_id == theirs.cluster_id  # one story...
    assert mine.duplicates == () and theirs.duplicates == ()  # ...but nobody sees the other's feeds


def test_an_opening_a_feed_repeats_is_not_a_story(store: Store) -> None:
    user = store.ensure_user("u")
    a = store.add_feed(user, "https://a.example/feed", category=None, now=NOW).id
    b = store.add_feed(user, "https://b.example/feed", category=None, now=NOW).id
    opening = "Good morning. Here is what you need to know today, from our newsroom to you:"
    for n, i in enumerate((1, 2)):
        _add(store, a, f"a{n}", f"https://a.example/brief/{n}", [opening, paragraphs(i)[3]])
    _add(store, b, "b0", "https://b.example/brief/0", [opening, paragraphs(3)[3]])
    # the same link for every item is no better than the same opening
    for n, i in enumerate((4, 5)):
        _add(store, a, f"live{n}", "https://a.example/live", [paragraphs(i)[2]])
    _add(store, b, "live", "https://a.example/live", [paragraphs(0)[4]])
    listed = store.get_entries(user, EntryFilter())
    assert len(listed) == 6
    assert all(e.duplicates == () for e in listed)


def test_story_keys_move_to_the_log_and_still_match(tmp_path: Path) -> None:
    """Migration 0005: the keys of a version-4 database are kept, and find copies."""
    path = str(tmp_path / "t.db")
    store = SqliteStore(path)
    user = store.ensure_user("u")
    a = store.add_feed(user, "https://a.example/feed", category=None, now=NOW).id
    b = store.add_feed(user, "https://b.example/feed", category=None, now=NOW).id
    _add(store, a, "a1", "https://a.example/harbour", paragraphs(0))
    store.close()
    db = sqlite3.connect(path)  # back to the version-4 layout, keys and all
    db.executescript(
        """
        ALTER TABLE story_keys RENAME TO old_keys;
        DROP INDEX story_keys_key;
        CREATE TABLE story_keys (
            key INTEGER NOT NULL,
            entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            seen_at INTEGER NOT NULL,
            PRIMARY KEY (key, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_keys_entry ON story_keys (entry_id);
        CREATE INDEX story_keys_seen ON story_keys (seen_at);
        INSERT INTO story_keys SELECT key, entry_id, seen_at FROM old_keys;
        DROP TABLE old_keys;
        DELETE FROM schema_version WHERE version = 5;
        """
    )
    (keys,) = db.execute("SELECT COUNT(*) FROM story_keys").fetchone()
    db.close()
    assert keys >= 3

    store = SqliteStore(path)  # migrates to version 5
    try:
        _add(store, b, "b1", "https://b.example/copy", paragraphs(0))
        (listed,) = store.get_entries(user, EntryFilter())  # one story, two copies
        assert {listed.link, *(d.link for d in listed.duplicates)} == {
            "https://a.example/harbour",
            "https://b.example/copy",
        }
        assert store._read("SELECT COUNT(*) FROM story_keys")[0][0] == 2 * keys
    finally:
        store.close()


def test_a_deleted_entrys_keys_never_match_the_entry_that_reuses_its_id(
    store: Store,
) -> None:
    user = store.ensure_user("u")
    a = store.add_feed(user, "https://a.example/feed", category=None, now=NOW).id
    _add(store, a, "a1", "https://a.example/harbour", paragraphs(0))
    store.remove_feed(user, "https://a.example/feed")  # its entries go; their keys stay a while
    later = NOW + timedelta(hours=1)
    c = store.add_feed(user, "https://c.example/feed", category=None, now=later).id
    _add(store, c, "c1", "https://c.example/other", paragraphs(3), later)  # the freed id
    b = store.add_feed(user, "https://b.example/feed", category=None, now=later).id
    _add(store, b, "b1", "https://b.example/copy", paragraphs(0), later)  # a1's story again

    listed = store.get_entries(user, EntryFilter())
    assert sorted(e.guid for e in listed) == ["b1", "c1"]
    assert all(e.duplicates == () for e in listed)


def test_a_key_a_feed_repeats_is_not_evidence_of_one_story() -> None:
    """A feed that links every item to one page is repeating itself: its other
    entries under that URL key are not copies, and its own key is not usable."""
    url = "https://example.com/"
    key = fingerprint.key_of("u", url)
    me = StoryPrint(10, 1, None, url)
    same_feed = cluster.KeyHit(key, 5, 1, 5, None)
    other_feed = cluster.KeyHit(key, 6, 2, 6, None)
    mine, others = cluster.comparable(me, [same_feed, other_feed])
    assert mine.canonical_url is None  # the key repeats within feed 1
    assert choose_cluster(mine, others) is None


def test_a_url_two_feeds_share_once_each_clusters() -> None:
    url = "https://example.com/story/1"
    key = fingerprint.key_of("u", url)
    mine, others = cluster.comparable(
        StoryPrint(10, 1, None, url), [cluster.KeyHit(key, 6, 2, 4, None)]
    )
    assert mine.canonical_url == url
    assert [(o.entry_id, o.cluster_id, o.canonical_url) for o in others] == [(6, 4, url)]
    assert choose_cluster(mine, others) == 4
