"""PostgreSQL's search looks among the newest entries first, then widens (#13):
the results are those of one look at every entry, whatever the tries."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from tidings.adapters.store import open_store
from tidings.adapters.store.postgres import search
from tidings.core.search import parse_query
from tidings.model import EntryUpdate
from tidings.ports import Store

from ..contract.samples import NOW, entry, ok

pytestmark = pytest.mark.postgres

WORDS = ["common"] * 6 + ["often"] * 3 + ["rare", "oil", "gas", "plain"]
QUERIES = ["common", "often", "rare", "common often", "often -common", '"oil gas"', "gas*"]
QUERIES += ["feed:two.example rare", "category:sport common", "nothing"]


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    user = s.ensure_user("u")
    rng = random.Random(13)
    for n, (url, category) in enumerate(
        [("https://one.example/f", "News"), ("https://two.example/f", "Sport")]
    ):
        feed = s.add_feed(user, url, category=category, now=NOW)
        updates = []
        for i in range(n * 1000, n * 1000 + 300):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
            title = "Oil gas" if i % 97 == 0 else f"Story {i}"
            item = entry(i, title=title, summary=f"<p>{words}</p>")
            updates.append(EntryUpdate(item, f"h{i}", is_new=True))
        s.apply_refresh(ok(feed.id), updates)
    yield s
    s.close()


def _results(store: Store, text: str, offset: int = 0) -> list[str]:
    user = store.ensure_user("u")
    hits = store.search_entries(user, parse_query(text), limit=10, offset=offset)
    return [h.entry.guid for h in hits]


def test_the_windowed_tries_find_what_one_look_at_everything_finds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    once = {(q, o): _results(store, q, o) for q in QUERIES for o in (0, 10)}
    assert once[("common", 0)] and once[("rare", 0)] and once[('"oil gas"', 0)]
    tries: list[int] = []
    spans = search._next_span

    def next_span(span: int, matched: int, wanted: int) -> int:
        tries.append(span)
        return spans(span, matched, wanted)

    # a window of 40 matches, first among the newest 20 entries; no early stop
    monkeypatch.setattr(search, "WINDOW", 40)
    monkeypatch.setattr(search, "FIRST_SPAN", 20)
    monkeypatch.setattr(search, "MAX_SPAN", 10**9)
    monkeypatch.setattr(search, "_next_span", next_span)
    windowed = {(q, o): _results(store, q, o) for q in QUERIES for o in (0, 10)}
    assert tries, "the tries never widened"
    monkeypatch.setattr(search, "FIRST_SPAN", 10**9)  # the same window, one look
    assert windowed == {(q, o): _results(store, q, o) for q in QUERIES for o in (0, 10)}
    assert windowed[("common", 0)] != once[("common", 0)]  # the window is 40, not 3,000


def test_sparse_matches_stop_once_the_page_is_full_past_max_span(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = store.ensure_user("u")
    ids = [h.entry.id for h in store.search_entries(user, parse_query("rare"), limit=10)]
    top = max(h.entry.id for h in store.search_entries(user, parse_query("story*"), limit=1))
    assert len(ids) == 10 and min(ids) <= top - 200  # one look ranks older ones too
    monkeypatch.setattr(search, "FIRST_SPAN", 20)
    monkeypatch.setattr(search, "MAX_SPAN", 200)
    ids = [h.entry.id for h in store.search_entries(user, parse_query("rare"), limit=10)]
    assert len(ids) == 10 and min(ids) > top - 200  # the page filled within the newest 200


def test_a_page_of_stories_is_full_though_their_copies_collapse(
    store: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three copies a story (each three entries one cluster): a window that holds
    the page's number of matches holds a third as many stories; the tries go on."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE entries SET cluster_id = id - (id - 1) % 3")
    user = store.ensure_user("u")
    monkeypatch.setattr(search, "FIRST_SPAN", 20)
    monkeypatch.setattr(search, "MAX_SPAN", 20)
    hits = store.search_entries(user, parse_query("common"), limit=10)
    assert len({h.entry.id - (h.entry.id - 1) % 3 for h in hits}) == len(hits) == 10
