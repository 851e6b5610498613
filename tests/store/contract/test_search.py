"""SearchStore: the user's entries matching a query, best first."""

from __future__ import annotations

from tidings.core.search import SearchQuery, Term, parse_query
from tidings.model import EntryUpdate
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
