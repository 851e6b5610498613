"""The enrich step: which pages it fetches, how many at once, and how often."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from story.pages import article_page, paragraphs
from tidings.content.article import extract_article
from tidings.content.story import MAX_PAGES, StoryJob
from tidings.content.text import html_to_text
from tidings.model import (
    Caching,
    EntryData,
    EntryUpdate,
    FeedData,
    FeedId,
    FeedState,
    Fetched,
    FetchError,
    FullTextMode,
    StoryContext,
)
from tidings.refresh.enrich import Enricher

T = TypeVar("T")


class FakePages:
    """Pages by URL; unknown hosts are unreachable. Records calls and concurrency."""

    def __init__(self, pages: dict[str, bytes], content_type: str = "text/html") -> None:
        self.pages = pages
        self.content_type = content_type
        self.calls: list[str] = []
        self.in_flight: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    async def get_page(self, url: str) -> Fetched | FetchError:
        host = urlsplit(url).hostname or ""
        self.calls.append(url)
        self.in_flight[host] += 1
        self.most[host] = max(self.most[host], self.in_flight[host])
        try:
            await asyncio.sleep(0.005)
            if host == "dead.example":
                return FetchError("cannot connect")
            body = self.pages.get(url)
            if body is None:
                return FetchError("HTTP 404", status=404)
            return Fetched(url, body, self.content_type, Caching())
        finally:
            self.in_flight[host] -= 1


class FakeStore:
    def __init__(self, context: StoryContext | None = None) -> None:
        self.context = context or StoryContext()

    def get_story_context(self, feed_id: FeedId, urls: Sequence[str]) -> StoryContext:
        return self.context


async def run_here(fn: Callable[..., T], /, *args: Any) -> T:
    return fn(*args)


class StoryThenEnrich:
    """A refresh's story step (``StoryJob``, as the parsing worker runs it), then the
    enrich step with the pages it wanted."""

    def __init__(self, enricher: Enricher, store: FakeStore, max_pages: int) -> None:
        self.enricher, self.store, self.max_pages = enricher, store, max_pages

    async def __call__(
        self, state: FeedState, feed: FeedData, updates: Sequence[EntryUpdate]
    ) -> tuple[EntryUpdate, ...]:
        context = self.store.get_story_context(state.id, [])
        job = StoryJob(state.id, state.title, state.link, state.full_text, context, self.max_pages)
        built, wanted = job(feed, tuple(updates))
        return await self.enricher(state, feed, built, wanted)

    async def aclose(self) -> None:
        await self.enricher.aclose()


def enricher(
    pages: FakePages, store: FakeStore | None = None, *, max_pages: int = MAX_PAGES, **kw: Any
) -> StoryThenEnrich:
    store = store or FakeStore()
    step = Enricher(
        store,  # type: ignore[arg-type]
        pages,
        run_store=run_here,
        run_cpu=asyncio.to_thread,
        **kw,
    )
    return StoryThenEnrich(step, store, max_pages)


def state(mode: FullTextMode = FullTextMode.AUTO, feed_id: int = 1) -> FeedState:
    return FeedState(id=FeedId(feed_id), url=f"https://feed{feed_id}.example/rss", full_text=mode)


def teaser(i: int, host: str = "news.example", *, is_new: bool = True) -> EntryUpdate:
    data = EntryData(
        id=f"e{i}",
        title=f"Story {i}",
        link=f"https://{host}/a/{i}?utm_source=rss",
        summary=f"<p>{paragraphs(i)[0]}…</p>",
    )
    return EntryUpdate(data, "h", is_new=is_new)


def full(i: int) -> EntryUpdate:
    body = "".join(f"<p>{p}</p>" for p in paragraphs(i))
    return EntryUpdate(
        EntryData(id=f"f{i}", link=f"https://news.example/a/{i}", content=body), "h", is_new=True
    )


FEED = FeedData(version="rss20", title="News")


def site(n: int, host: str = "news.example") -> dict[str, bytes]:
    return {f"https://{host}/a/{i}": article_page(i) for i in range(n)}


def test_only_new_teasers_get_their_page_and_it_is_used() -> None:
    pages = FakePages(site(4))
    updates = [teaser(0), teaser(1, is_new=False), full(2)]
    out = asyncio.run(enricher(pages)(state(), FEED, updates))
    assert pages.calls == ["https://news.example/a/0"]  # tracking parameters never sent
    story = out[0].story
    assert story is not None and story.full_content is not None
    assert paragraphs(0)[4] in html_to_text(story.full_content)
    assert all(u.story is not None and u.story.full_content is None for u in out[1:])


def test_modes() -> None:
    pages = FakePages(site(3))
    asyncio.run(enricher(pages)(state(FullTextMode.NEVER), FEED, [teaser(0)]))
    assert pages.calls == []
    asyncio.run(enricher(pages)(state(FullTextMode.ALWAYS), FEED, [full(1)]))
    assert pages.calls == ["https://news.example/a/1"]


def test_fetches_are_bounded_per_host() -> None:
    pages = FakePages(site(12) | site(12, "other.example"))
    updates = [teaser(i) for i in range(12)] + [teaser(i, "other.example") for i in range(12)]
    out = asyncio.run(enricher(pages, per_host=2)(state(), FEED, updates))
    assert len(pages.calls) == 24
    assert max(pages.most.values()) <= 2
    assert all(u.story is not None and u.story.full_content for u in out)


def test_max_pages_per_feed_refresh() -> None:
    pages = FakePages(site(10))
    asyncio.run(enricher(pages, max_pages=3)(state(), FEED, [teaser(i) for i in range(10)]))
    assert len(pages.calls) == 3


def test_a_page_is_fetched_once_per_batch_and_never_when_cached() -> None:
    pages = FakePages(site(3))
    e = enricher(pages)

    async def two_feeds() -> None:
        await asyncio.gather(
            e(state(feed_id=1), FEED, [teaser(0), teaser(1)]),
            e(state(feed_id=2), FEED, [teaser(0), teaser(1)]),
        )
        await e.aclose()

    asyncio.run(two_feeds())
    assert sorted(pages.calls) == ["https://news.example/a/0", "https://news.example/a/1"]

    article = extract_article(article_page(2), "https://news.example/a/2")
    assert article is not None
    cached = StoryContext(articles={"news.example/a/2": article})
    pages.calls.clear()
    out = asyncio.run(enricher(pages, FakeStore(cached))(state(), FEED, [teaser(2)]))
    assert pages.calls == []
    assert out[0].story is not None and out[0].story.full_content == article.html


def test_unreachable_hosts_are_given_up_and_the_teaser_kept() -> None:
    pages = FakePages({})
    updates = [teaser(i, "dead.example") for i in range(10)]
    out = asyncio.run(enricher(pages, per_host=2)(state(), FEED, updates))
    assert len(pages.calls) <= 2
    assert all(u.story is not None and u.story.full_content is None for u in out)
    assert paragraphs(3)[0] in html_to_text(out[3].data.summary)


def test_pages_that_are_not_html_are_ignored() -> None:
    pages = FakePages(site(1), content_type="application/pdf")
    out = asyncio.run(enricher(pages)(state(), FEED, [teaser(0)]))
    assert out[0].story is not None and out[0].story.full_content is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_feeds_failures_on_a_host_neither_stop_another_feed_nor_last() -> None:
    pages = FakePages({"https://news.example/a/9": article_page(9)})  # the others: 404
    clock = Clock()
    e = enricher(pages, per_host=1, clock=clock, forget_after=600.0)

    async def refresh(feed_id: int, *updates: EntryUpdate) -> tuple[EntryUpdate, ...]:
        return await e(state(feed_id=feed_id), FEED, updates)

    async def batch() -> None:
        await refresh(1, teaser(0), teaser(1), teaser(2), teaser(3))
        assert len(pages.calls) == 3  # the host is given up, for feed 1
        out = await refresh(2, teaser(9))  # feed 2 on the same host still gets its page
        assert pages.calls[3:] == ["https://news.example/a/9"]
        assert out[0].story is not None and out[0].story.full_content
        pages.calls.clear()
        await refresh(1, teaser(4))
        assert pages.calls == []  # remembered for feed 1 ...
        clock.now += 601
        await refresh(1, teaser(5))
        assert pages.calls == ["https://news.example/a/5"]  # ... for a while
        await e.aclose()

    asyncio.run(batch())
