"""SearchStore: the user's entries matching a query, best first."""

from __future__ import annotations

from tidings.core.search import SearchQuery, Term, parse_query
from tidings.model import EntryFilter, EntryUpdate, StoryData
from tidings.ports import Store

from .samples import NOW, entry, ok


def _feed(store: Store, user: int, url: str, *items: tuple[int, str, str]) -> None:
    feed = store.add_feed(user, url, category="News", now=NOW)  # type: ignore[arg-type]
    updates = [
        EntryUpdate(entry(i, title=title, summary=f"<p>{body}</p>"), f"h{i}", is_new=True)
        for i, title, body in items
    ]
    store.apply_refresh(ok(feed.id), updates)


def test_search_finds_the_users_entries_titles_first(store: Store) -> None:
    alice = store.ensure_user("alice")
    mallory = store.ensure_user("mallory")
    _feed(
        store,
        alice,
        "https://x.example/a",
        (1, "Otters at play", "a quiet river"),
        (2, "Harbour news", "otters were seen near the harbour"),
        (3, "Weather", "rain all day"),
    )
    hits = store.search_entries(alice, SearchQuery(include=(Term("otters"),)))
    assert [h.entry.guid for h in hits] == ["e1", "e2"]  # the title match ranks first
    assert "otters" in hits[1].snippet.lower()
    assert store.search_entries(mallory, SearchQuery(include=(Term("otters"),))) == []
    assert [h.entry.guid for h in store.search_entries(alice, parse_query("otter*"))] == [
        "e1",
        "e2",
    ]
    assert [h.entry.guid for h in store.search_entries(alice, parse_query("otters -harbour"))] == [
        "e1"
    ]


def test_search_pages_and_filters(store: Store) -> None:
    user = store.ensure_user("u")
    _feed(
        store, user, "https://x.example/a", *[(i, f"Story {i}", "common words") for i in range(5)]
    )
    _feed(store, user, "https://y.example/b", (9, "Elsewhere", "common words"))
    query = SearchQuery(include=(Term("common"),))
    first = store.search_entries(user, query, limit=4)
    rest = store.search_entries(user, query, limit=4, offset=4)
    assert len(first) == 4 and len(rest) == 2
    assert {h.entry.id for h in first}.isdisjoint(h.entry.id for h in rest)
    only_b = SearchQuery(include=(Term("common"),), feeds=("y.example",))
    assert [h.entry.guid for h in store.search_entries(user, only_b)] == ["e9"]
    other_category = SearchQuery(include=(Term("common"),), categories=("sport",))
    assert store.search_entries(user, other_category) == []


def test_a_query_without_words_lists_entries_newest_first(store: Store) -> None:
    user = store.ensure_user("u")
    _feed(store, user, "https://x.example/a", (1, "One", "x"), (2, "Two", "y"))
    hits = store.search_entries(user, SearchQuery(feeds=("x.example",)))
    assert [h.entry.guid for h in hits] == ["e1", "e2"]


def test_engine_syntax_in_terms_is_only_text(store: Store) -> None:
    user = store.ensure_user("u")
    _feed(store, user, "https://x.example/a", (1, 'say "NEAR(" body:x', "text"))
    for text in ["NEAR(", 'a"b', "body:x", "*", "AND OR NOT", "^title"]:
        store.search_entries(user, SearchQuery(include=(Term(text),)))  # never raises
    hits = store.search_entries(user, SearchQuery(include=(Term("NEAR("),)))
    assert [h.entry.guid for h in hits] == ["e1"]


def _copies(store: Store, user: int, url: str, words: str) -> None:
    """A feed at ``url`` with one story whose canonical URL every copy shares."""
    feed = store.add_feed(user, url, category=None, now=NOW)  # type: ignore[arg-type]
    story = StoryData(
        lead=None,
        word_count=len(words.split()),
        reading_minutes=1,
        main_image=None,
        language="en",
        section=None,
        canonical_url="https://news.example/otters",
    )
    update = EntryUpdate(
        entry(1, title="Otters return", summary=f"<p>{words}</p>"), "h1", is_new=True, story=story
    )
    store.apply_refresh(ok(feed.id), [update])


def test_search_shows_each_story_once_as_the_river_does(store: Store) -> None:
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    _copies(store, alice, "https://a.example/feed", "otters return to the river")
    _copies(store, alice, "https://b.example/feed", "otters return to the river at last")
    store.add_feed(bob, "https://b.example/feed", category=None, now=NOW)
    river = store.get_entries(alice, EntryFilter())
    assert len(river) == 1  # the river's collapse, which search now follows
    hits = store.search_entries(alice, parse_query("otters"))
    assert len(hits) == 1
    only_a = store.search_entries(alice, parse_query("otters feed:a.example"))
    assert [h.entry.feed_url for h in only_a] == ["https://a.example/feed"]
    # bob follows one copy: the one he cannot see does not hide it
    assert [h.entry.feed_url for h in store.search_entries(bob, parse_query("otters"))] == [
        "https://b.example/feed"
    ]
    # a copy that does not match is no reason to leave out one that does
    assert len(store.search_entries(alice, parse_query("last"))) == 1
    assert store.search_entries(alice, parse_query("otters"), offset=1) == []


def test_tag_filters_a_search_by_the_users_tags(store: Store) -> None:
    assert parse_query('otters tag:Later tag:"to read"').tags == ("later", "to read")
    alice, bob = store.ensure_user("alice"), store.ensure_user("bob")
    _feed(
        store,
        alice,
        "https://x.example/a",
        (1, "Otters at play", "a quiet river"),
        (2, "Harbour news", "otters were seen near the harbour"),
        (3, "Weather", "rain all day"),
    )
    store.add_feed(bob, "https://x.example/a", category=None, now=NOW)
    ids = {e.guid: e.id for e in store.get_entries(alice, EntryFilter())}
    store.set_entry_tag(alice, [ids["e2"], ids["e3"]], "Later", tagged=True)
    store.set_entry_tag(bob, [ids["e1"]], "later", tagged=True)
    tagged = store.search_entries(alice, parse_query("otters tag:later"))
    assert [h.entry.guid for h in tagged] == ["e2"]
    assert {h.entry.guid for h in store.search_entries(alice, parse_query("tag:later"))} == {
        "e2",
        "e3",
    }
    assert [h.entry.guid for h in store.search_entries(bob, parse_query("otters tag:later"))] == [
        "e1"
    ]
    assert store.search_entries(alice, parse_query("otters tag:nothing")) == []


def test_an_entry_twice_in_one_refresh_is_indexed_once_as_it_was_stored(store: Store) -> None:
    """A guid twice in one write (a broken feed's copies): the last copy is stored,
    and the search finds that one, once; quotes and braces in the text are only text."""
    user = store.ensure_user("u")
    feed = store.add_feed(user, "https://x.example/a", category=None, now=NOW)
    first = EntryUpdate(entry(1, title="Otters", summary="<p>first</p>"), "h1", is_new=True)
    second = EntryUpdate(
        entry(1, title="Beavers 'quoted' {x}", summary='<p>second "copy"</p>'),
        "h2",
        is_new=True,
    )
    store.apply_refresh(ok(feed.id), [first, second])
    hits = store.search_entries(user, parse_query("beavers"))
    assert [h.entry.title for h in hits] == ["Beavers 'quoted' {x}"]
    assert store.search_entries(user, parse_query("otters")) == []
    assert [h.entry.guid for h in store.search_entries(user, parse_query("copy"))] == ["e1"]
