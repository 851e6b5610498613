"""Publishing's selections (#14), through the facade (``agg.publishing``), on both engines:
what each selection lists, one story once, paging, bad selections, and that no story
of another user reaches a publication."""

from __future__ import annotations

import pytest

from tidings.aggregator.publishing import MAX_ITEMS, parse_selection
from tidings.errors import (
    NotFoundError,
    PermissionDeniedError,
    PublicationError,
    SearchQueryError,
)
from tidings.model import EntryData, EntryFilter, EntryUpdate, FeedId, FeedUpdate, StoryData, User

from .conftest import NOW, WebServer, entry

A = "https://harbour.example/feed"
B = "https://bob.example/feed"
SHARED = "https://wire.example/feed"
SELECTIONS = ("all", "unread", "starred", "category/Harbour", "tag/keep", "search/harbour")


def _story(data: EntryData, url: str) -> EntryUpdate:
    story = StoryData(
        lead=None,
        word_count=50,
        reading_minutes=1,
        main_image=None,
        language=None,
        section=None,
        canonical_url=url,
    )
    return EntryUpdate(data, f"hash-{data.id}", True, story)


def _two_users(web: WebServer) -> tuple[User, User, FeedId]:
    """admin follows A (Harbour) and the shared wire; bob follows B (also "Harbour")
    and the wire, and stars, tags and reads there what admin does not."""
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    feed_a = FeedId(web.feed(admin, A, [entry(i) for i in range(1, 5)], category="Harbour"))
    web.feed(bob, B, [entry(i, id=f"bob-{i}", title=f"Bob secret {i} harbour",
                            link=f"https://bob.example/{i}") for i in range(1, 4)],
             category="Harbour")  # fmt: skip
    web.feed(admin, SHARED, [entry(9, id="w9", title="Wire harbour nine", link="https://w/9")])
    web.agg.store.add_feed(bob.id, SHARED, category="Harbour", now=NOW)
    mine = web.agg.get_entries(admin.id, EntryFilter(limit=100))
    theirs = web.agg.get_entries(bob.id, EntryFilter(limit=100))
    wire = next(e for e in theirs if e.guid == "w9")
    web.agg.mark_entry(bob.id, int(wire.id), starred=True, read=True)
    web.agg.store.set_entry_tag(bob.id, [e.id for e in theirs], "keep", tagged=True)
    a1 = next(e for e in mine if e.guid == "guid-1")
    web.agg.mark_entry(admin.id, int(a1.id), starred=True, read=True)
    web.agg.store.set_entry_tag(admin.id, [a1.id], "keep", tagged=True)
    return admin, bob, feed_a


def _titles(web: WebServer, user: User, selection: str, **kw: object) -> list[str]:
    chosen = web.agg.publishing.check_selection(user.id, selection)
    page = web.agg.publishing.get_page(user.id, chosen, **kw)  # type: ignore[arg-type]
    return [e.title or "" for e in page.entries]


def test_each_selection_lists_what_it_names(web: WebServer) -> None:
    admin, _, feed_a = _two_users(web)
    story = [f"Story {i} about the harbour" for i in range(1, 5)]
    assert _titles(web, admin, "all") == [*story, "Wire harbour nine"]  # newest first
    assert _titles(web, admin, "unread") == [*story[1:], "Wire harbour nine"]
    assert _titles(web, admin, "starred") == story[:1]
    assert _titles(web, admin, "category/Harbour") == story
    assert _titles(web, admin, f"feed/{feed_a}") == story
    assert _titles(web, admin, "tag/keep") == story[:1]
    assert set(_titles(web, admin, "search/harbour")) == {*story, "Wire harbour nine"}
    assert _titles(web, admin, "search/nine") == ["Wire harbour nine"]


def test_no_story_of_another_user_reaches_any_selection(web: WebServer) -> None:
    admin, bob, _ = _two_users(web)
    for selection in SELECTIONS:
        titles = _titles(web, admin, selection)
        assert not [t for t in titles if "Bob" in t], selection
        if selection in ("starred", "category/Harbour", "tag/keep"):  # bob's star, file, tag
            assert "Wire harbour nine" not in titles, selection
    # bob's own selections are bob's
    assert "Wire harbour nine" in _titles(web, bob, "starred")
    with pytest.raises(NotFoundError):  # a feed admin does not follow
        web.agg.publishing.check_selection(admin.id, f"feed/{bob_feed(web, bob)}")
    # a public publication resolves as its administrator, whoever reads it
    for selection in SELECTIONS:
        slug = "p-" + selection.replace("/", "-").lower()
        made = web.agg.publishing.add_publication(admin.id, selection, slug=slug)
        chosen = parse_selection(made.selection)
        page = web.agg.publishing.get_page(made.user_id, chosen, n=MAX_ITEMS)
        assert not [e for e in page.entries if "Bob" in (e.title or "")], selection
        for e in web.agg.get_entries(bob.id, EntryFilter(limit=100)):
            if e.feed_url == B:
                with pytest.raises(NotFoundError):
                    web.agg.publishing.get_entry(made.user_id, chosen, int(e.id))


def bob_feed(web: WebServer, bob: User) -> int:
    return next(int(f.state.id) for f in web.agg.get_feeds(bob.id) if f.state.url == B)


def test_a_story_in_two_feeds_is_listed_once(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    for n, url in enumerate(("https://one.example/feed", "https://two.example/feed")):
        state = web.agg.store.add_feed(admin.id, url, category="News", now=NOW)
        update = FeedUpdate(feed_id=state.id, fetched_at=NOW, next_check_at=NOW, title=url)
        data = entry(1, id=f"copy-{n}", link="https://story.example/one")
        web.agg.store.apply_refresh(update, [_story(data, "https://story.example/one")])
    for selection in ("all", "category/News", "search/harbour"):
        [item] = web.agg.publishing.get_page(admin.id, parse_selection(selection)).entries
        assert len(item.duplicates) == 1  # the other copy: "Also reported by"


def test_n_and_before_page_newest_first(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, A, [entry(i) for i in range(1, 8)])
    chosen = parse_selection("all")
    first = web.agg.publishing.get_page(admin.id, chosen, n=3)
    assert [e.guid for e in first.entries] == ["guid-1", "guid-2", "guid-3"]
    assert first.next_before is not None
    second = web.agg.publishing.get_page(admin.id, chosen, n=3, before=first.next_before)
    assert [e.guid for e in second.entries] == ["guid-4", "guid-5", "guid-6"]
    third = web.agg.publishing.get_page(admin.id, chosen, n=3, before=second.next_before)
    assert [e.guid for e in third.entries] == ["guid-7"] and third.next_before is None
    big = web.agg.publishing.get_page(admin.id, chosen, n=10_000)
    assert len(big.entries) == 7
    with pytest.raises(ValueError):
        web.agg.publishing.get_page(admin.id, chosen, before="yesterday")


@pytest.mark.parametrize(
    "selection",
    ["", "everything", "all/more", "category/", "category/Nope", "feed/x", "feed/99999",
     "tag/none", "../etc/passwd", "unread\x00", "a" * 700, "search"],
)  # fmt: skip
def test_unknown_selections_are_not_found(web: WebServer, selection: str) -> None:
    admin, _, _ = _two_users(web)
    with pytest.raises(NotFoundError):
        web.agg.publishing.check_selection(admin.id, selection)


def test_a_bad_search_says_why(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    with pytest.raises(SearchQueryError, match="narrows"):
        web.agg.publishing.check_selection(admin.id, "search/-harbour")


def test_tokens_are_made_once_and_revoked(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    token = web.agg.publishing.get_token(admin.id)
    assert len(token) == 32 and web.agg.publishing.get_token(admin.id) == token
    assert web.agg.publishing.token_user(token).id == admin.id
    assert web.agg.publishing.get_token(bob.id) != token
    new = web.agg.publishing.revoke_token(admin.id)
    assert new != token and web.agg.publishing.token_user(new).id == admin.id
    with pytest.raises(NotFoundError):
        web.agg.publishing.token_user(token)
    with pytest.raises(NotFoundError):
        web.agg.publishing.token_user("short")


def test_only_an_administrator_publishes(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    web.feed(admin, A, [entry(1)], category="Harbour")
    with pytest.raises(PermissionDeniedError):
        web.agg.publishing.add_publication(bob.id, "all")
    made = web.agg.publishing.add_publication(admin.id, "category/Harbour", full_text=True)
    assert (made.slug, made.full_text) == ("category-harbour", True)
    with pytest.raises(PublicationError):
        web.agg.publishing.add_publication(admin.id, "all", slug="Bad Name")
    with pytest.raises(PublicationError):  # taken
        web.agg.publishing.add_publication(admin.id, "all", slug=made.slug)
    with pytest.raises(PermissionDeniedError):
        web.agg.publishing.remove_publication(bob.id, made.slug)
    web.agg.publishing.remove_publication(admin.id, made.slug)
    assert web.agg.publishing.get_publications() == []
