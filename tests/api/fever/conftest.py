"""A real Tidings web app on loopback (``web.conftest``'s uvicorn thread) with a
replay fixture (clientapis.md §3.7): folders with a space and an ampersand, a feed in
no folder, a feed with no site link, an item with no link, author or title, one with
``& < >`` in its title, back-dated items, mixed read and starred states; and a second
user following one of the same feeds, for scoping."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from web.conftest import WebServer, make_server  # noqa: F401  (the fixture, reused)

from tidings.model import EntryData, EntryUpdate, FeedUpdate, User, UserId

API_PASSWORD = "phone app password"
NOW = datetime.now(UTC).replace(microsecond=0)
CRAWLED = NOW - timedelta(days=2)  # when the fixture's entries were first seen


def fever_key(name: str, password: str = API_PASSWORD) -> str:
    return hashlib.md5(f"{name}:{password}".encode()).hexdigest()


@dataclass
class Replay:
    server: WebServer
    ana: User
    bob: User
    feeds: dict[str, int]  # name -> feed id

    @property
    def agg(self) -> Any:
        return self.server.agg

    def store(
        self,
        user: User,
        url: str,
        entries: list[EntryData],
        *,
        category: str | None = None,
        title: str = "Feed",
        link: str | None = "https://site.example/",
        crawled: datetime = CRAWLED,
    ) -> int:
        state = self.agg.store.add_feed(user.id, url, category=category, now=crawled)
        self.refresh(int(state.id), entries, title=title, link=link, crawled=crawled)
        return int(state.id)

    def refresh(
        self,
        feed_id: int,
        entries: list[EntryData],
        *,
        title: str = "Feed",
        link: str | None = "https://site.example/",
        crawled: datetime = NOW,
    ) -> None:
        update = FeedUpdate(
            feed_id=feed_id,  # type: ignore[arg-type]
            fetched_at=crawled,
            next_check_at=crawled + timedelta(hours=1),
            title=title,
            link=link,
        )
        updates = [EntryUpdate(e, f"h-{e.id}", True) for e in entries]
        self.agg.store.apply_refresh(update, updates)

    def move_on(self) -> tuple[set[int], set[int]]:
        """The server moves on between two syncs: seven entries crawled now but
        published a month ago (one already read on the web), and states changed in the
        web reader. Returns the new ids and the old ids whose state changed."""
        ana = self.ana
        before = self.articles(ana)
        self.refresh(
            self.feeds["news"],
            [entry("late", i, published=NOW - timedelta(days=30)) for i in range(7)],
            crawled=datetime.now(UTC),
        )
        new = self.articles(ana) - before
        self.agg.mark_entry(ana.id, min(new), read=True)  # an app reaches it by time only
        unread = sorted(self.unread(ana) - new)
        self.agg.mark_entry(ana.id, unread[0], read=True)
        read = sorted(before - self.unread(ana))
        self.agg.mark_entry(ana.id, read[0], read=False)
        self.agg.mark_entry(ana.id, unread[1], starred=True)
        self.agg.mark_entry(ana.id, sorted(self.starred(ana))[0], starred=False)
        return new, {unread[0], read[0], unread[1]}

    # the truth, as the web reader has it

    def unread(self, user: User) -> set[int]:
        return {int(i) for i in self.agg.sync.get_entry_ids(user.id, unread=True)}

    def starred(self, user: User) -> set[int]:
        return {int(i) for i in self.agg.sync.get_entry_ids(user.id, starred=True)}

    def articles(self, user: User) -> set[int]:
        return {int(i) for i in self.agg.sync.get_entry_ids(user.id)}

    def folders(self, user: User) -> dict[int, str | None]:
        return {int(s.id): s.category for s in self.agg.sync.get_subscriptions(user.id)}

    def entry_ids(self, user: UserId, feed_id: int) -> list[int]:
        return sorted(
            int(e.id)
            for e in self.agg.sync.get_entries_by_id(user, after=0, limit=1000)
            if int(e.feed_id) == feed_id
        )


def entry(key: str, i: int, **kw: Any) -> EntryData:
    data: dict[str, Any] = dict(
        id=f"{key}-{i}",
        title=f"{key} story {i}",
        link=f"https://site.example/{key}/{i}",
        author="Reporter",
        published=CRAWLED - timedelta(hours=i),  # back-dated: published before crawl
        summary=f"<p>{key} {i}</p>",
    )
    data.update(kw)
    return EntryData(**data)


@pytest.fixture
def replay(make_server: Any) -> Replay:  # noqa: F811
    server: WebServer = make_server()
    ana = server.user("ana", admin=True)
    bob = server.user("bob")
    server.agg.accounts.set_api_password(ana.id, API_PASSWORD)
    server.agg.accounts.set_api_password(bob.id, API_PASSWORD)
    r = Replay(server, ana, bob, {})
    r.feeds["news"] = r.store(
        ana, "https://news.example/feed", [entry("news", i) for i in range(60)], category="News"
    )
    r.feeds["tech"] = r.store(
        ana,
        "https://tech.example/feed",
        [entry("tech", i) for i in range(30)],
        category="Tech & Stuff",
        title="Tech & <Stuff>",
    )
    r.feeds["loose"] = r.store(
        ana, "https://loose.example/feed", [entry("loose", i) for i in range(15)]
    )
    odd = [
        EntryData(id="bare"),  # no link, author, title or date
        entry("odd", 1, title="Fish & <chips> > peas"),
        *[entry("odd", i) for i in range(2, 5)],
    ]
    r.feeds["nolink"] = r.store(ana, "https://nolink.example/feed", odd, link=None, title="No Link")
    # bob follows the news feed too, and a feed of his own
    server.agg.store.add_feed(bob.id, "https://news.example/feed", category="Bob's", now=CRAWLED)
    r.feeds["bobs"] = r.store(bob, "https://bob.example/feed", [entry("bob", i) for i in range(3)])
    # mixed states
    ids = sorted(r.articles(ana))
    for i in ids[::3]:
        server.agg.mark_entry(ana.id, i, read=True)
    for i in ids[::7]:
        server.agg.mark_entry(ana.id, i, starred=True)
    bob_ids = sorted(r.articles(bob))
    server.agg.mark_entry(bob.id, bob_ids[0], starred=True)
    server.agg.mark_entry(bob.id, bob_ids[1], read=True)
    return r
