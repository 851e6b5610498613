"""Full-text extraction, teaser detection and the story step (pure functions)."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import corpus_path

from story.pages import CLUTTER_LINES, article_page, paragraphs
from tidings.content.article import decode_page, extract_article
from tidings.content.source import split_feed_title
from tidings.content.story import FeedInfo, Page, build_update, build_updates
from tidings.content.teaser import looks_like_teaser, prefers_article, wants_page
from tidings.content.text import html_to_text
from tidings.content.words import count_words, guess_language, reading_minutes
from tidings.model import (
    Article,
    EntryData,
    EntryUpdate,
    FullTextMode,
    StoryContext,
    StoryOptions,
)

URL = "https://news.example/harbour/0"


def test_extraction_keeps_the_article_and_cuts_the_wrapping() -> None:
    article = extract_article(article_page(0), URL)
    assert article is not None
    text = html_to_text(article.html)
    for p in paragraphs(0):
        assert p in text
    for line in CLUTTER_LINES:
        assert line not in text
    assert "Privacy" not in text and "Fixture Times. All rights" not in text
    assert "<script" not in article.html and "tracker" not in article.html
    assert "utm_" not in article.html and "p.gif" not in article.html
    assert article.image == "https://img.example/harbour-0.jpg"
    assert article.language == "en-gb"
    assert article.words == count_words(text)


def test_extracted_html_is_sanitized() -> None:
    page = (
        b"<html><body><article>"
        + b"<p>Body text of a real article that goes on for a while about things.</p>" * 8
        + b'<p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">x</a></p>'
        + b"<script>alert(3)</script><iframe src='https://evil.example/'></iframe>"
        + b"</article></body></html>"
    )
    article = extract_article(page, URL)
    assert article is not None
    for bad in ("onerror", "javascript:", "<script", "evil.example"):
        assert bad not in article.html


def test_body_selector_and_remove_selectors() -> None:
    page = (
        b"<html><body><div id='story'><p>Picked by the selector, first paragraph here.</p>"
        b"<p class='promo'>Buy our mugs today.</p><p>Second paragraph of the story.</p></div>"
        b"<div id='other'><p>Not the story at all, a long unrelated sidebar text.</p></div>"
        b"</body></html>"
    )
    options = StoryOptions(body_selector="#story", remove_selectors=(".promo",))
    article = extract_article(page, URL, options=options)
    assert article is not None
    text = html_to_text(article.html)
    assert "Picked by the selector" in text and "Second paragraph" in text
    assert "mugs" not in text and "sidebar" not in text


def test_pages_decode_by_header_then_meta_then_utf8() -> None:
    body = "<html><head><meta charset='iso-8859-1'></head><body>café</body></html>"
    assert "café" in decode_page(body.encode("latin-1"))
    assert "café" in decode_page(body.encode("utf-8"), "text/html; charset=utf-8")


def test_nothing_extractable_is_none() -> None:
    assert extract_article(b"", URL) is None
    assert extract_article(b"<html><body></body></html>", URL) is None


def _entry(text: str, link: str | None = URL, **kw: object) -> EntryData:
    return EntryData(id="e1", title="The harbour story 0", link=link, summary=text, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "summary",
    [
        "<p>Short teaser.</p>",
        "<p>" + "word " * 200 + "and so on…</p>",
        "<p>" + "word " * 200 + '</p><p><a href="x">Continue reading</a></p>',
        "<p>" + "word " * 200 + "</p><p>The post X appeared first on Y.</p>",
        "",
    ],
)
def test_teasers_are_recognised(summary: str) -> None:
    assert looks_like_teaser(_entry(summary))


def test_a_full_text_feed_is_not_a_teaser() -> None:
    full = "".join(f"<p>{p}</p>" for p in paragraphs(1))
    entry = _entry(full)
    assert not looks_like_teaser(entry)
    assert not wants_page(entry, FullTextMode.AUTO, True)
    assert wants_page(entry, FullTextMode.ALWAYS, True)
    assert not wants_page(entry, FullTextMode.NEVER, True)
    assert not wants_page(_entry("<p>Teaser…</p>"), FullTextMode.ALWAYS, False)  # not new
    assert not wants_page(_entry("<p>Teaser…</p>", link=None), FullTextMode.AUTO, True)


def test_the_article_must_be_longer_and_about_the_same_story() -> None:
    teaser = paragraphs(0)[0]
    article = extract_article(article_page(0), URL)
    assert article is not None
    assert prefers_article(teaser, article, FullTextMode.AUTO)
    other = extract_article(article_page(3), URL)  # a different story: a wrong page
    assert other is not None
    climb = "Climbers reached the frozen summit yesterday despite avalanche warnings from guides."
    assert not prefers_article(climb, other, FullTextMode.AUTO)
    assert not prefers_article(climb, other, FullTextMode.ALWAYS)
    longer_feed = " ".join(paragraphs(0, 12))
    assert not prefers_article(longer_feed, article, FullTextMode.ALWAYS)
    assert not prefers_article(teaser, article, FullTextMode.NEVER)


def _update(summary: str, **kw: object) -> EntryUpdate:
    return EntryUpdate(_entry(summary, **kw), "hash", is_new=True)


def test_story_step_uses_the_article_and_cleans_the_feed_text() -> None:
    teaser = f"<p>{paragraphs(0)[0]}…</p><p><a href='{URL}'>Read more</a></p><p>Source link</p>"
    update = _update(teaser, categories=("Russia & Former Soviet Union",))
    pages = {"news.example/harbour/0": Page(URL, article_page(0), "text/html")}
    feed = FeedInfo(id=1, title="Fixture Times - World", language="en")
    (out,) = build_updates([update], feed, StoryContext(), pages)
    story = out.story
    assert story is not None and story.full_content is not None
    assert paragraphs(0)[5] in html_to_text(story.full_content)
    assert "Read more" not in (out.data.summary or "") and "Source link" not in (
        out.data.summary or ""
    )
    assert story.lead is not None and story.lead.startswith("The harbour authority")
    assert story.word_count > 200 and story.reading_minutes >= 1
    assert story.main_image == "https://img.example/harbour-0.jpg"
    assert story.language == "en-gb"  # the page is more specific than the feed ("en")
    assert story.section == "Russia & Former Soviet Union"
    assert story.canonical_url == "news.example/harbour/0"
    assert story.minhash is not None and story.text_key and story.lead_key


def test_story_step_keeps_the_feed_text_when_extraction_fails() -> None:
    update = _update(f"<p>{paragraphs(2)[0]}…</p>")
    pages = {"news.example/harbour/0": Page(URL, b"\x00\xff<<<not html", "text/html")}
    (out,) = build_updates([update], FeedInfo(id=1), StoryContext(), pages)
    assert out.story is not None and out.story.full_content is None
    assert paragraphs(2)[0] in html_to_text(out.data.summary)


def test_story_step_uses_the_page_cache_and_never_fetches_for_changed_entries() -> None:
    cached = Article("<p>" + "cached article words " * 40 + "</p>", 120)
    context = StoryContext(articles={"news.example/harbour/0": cached})
    new = _update("<p>cached article…</p>")
    changed = EntryUpdate(new.data, "hash", is_new=False)
    out_new, out_changed = build_updates([new, changed], FeedInfo(id=1), context, {})
    assert out_new.story is not None and out_new.story.full_content == cached.html
    assert out_changed.story is not None and out_changed.story.full_content is None


def test_entry_language_is_guessed_when_nobody_declares_it() -> None:
    german = (
        "<p>" + "Der Rat hat die neue Brücke am Dienstag nach einer langen Debatte " * 5 + "</p>"
    )
    out = build_update(_update(german), FeedInfo(id=1), None, ())
    assert out.story is not None and out.story.language == "de"
    assert guess_language("short") is None


def test_reading_time() -> None:
    assert reading_minutes("") == 0
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 1000) == 5
    assert count_words("東京で会議") == 5


@pytest.mark.parametrize(
    ("title", "link", "expected"),
    [
        ("NYT > U.S. News", "https://www.nytimes.com/section/us", ("NYT", "U.S. News")),
        (" Articles | Mail Online", "https://www.dailymail.co.uk", ("Mail Online", None)),
        ("BBC News - Home", "https://www.bbc.co.uk/news/", ("BBC News", None)),
        (
            "World news | The Guardian",
            "https://www.theguardian.com/world",
            ("The Guardian", "World news"),
        ),
        ("RT - Daily news", "https://www.rt.com", ("RT", "Daily news")),
        ("Fixture News", None, ("Fixture News", None)),
    ],
)
def test_source_and_section_from_feed_titles(
    title: str, link: str | None, expected: tuple[str, str | None]
) -> None:
    assert split_feed_title(title, link) == expected


@pytest.mark.slow
def test_extraction_on_the_benchmark_corpus_beats_its_floor() -> None:
    """A regression floor on a slice of the article corpus (the full run is benchmarks/extract.py)."""
    corpus = corpus_path("articles")
    truth = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    found = 0
    keys = sorted(truth)[:40]
    for key in keys:
        with gzip.open(corpus / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
            article = extract_article(f.read(), truth[key]["url"])
        want = set(truth[key]["articleBody"].split())
        got = set(html_to_text(article.html).split()) if article else set()
        found += len(want & got) / max(1, len(want)) > 0.8
    assert found >= 0.9 * len(keys)


def test_shown_source_prefers_the_users_title_and_the_entrys_section() -> None:
    from datetime import UTC, datetime

    from tidings.content.source import shown_source
    from tidings.model import Entry, EntryId, FeedId

    entry = Entry(
        id=EntryId(1),
        feed_id=FeedId(1),
        feed_url="https://bbc.example/rss",
        feed_title="BBC News - World",
        category="News",
        guid="g",
        title="t",
        link=None,
        author=None,
        published=None,
        updated=None,
        summary=None,
        content=None,
        categories=("Politics",),
        enclosures=(),
        image=None,
        comments=None,
        first_seen=datetime(2026, 1, 1, tzinfo=UTC),
    )
    common = {"feed_title": "BBC News - World", "feed_link": "https://bbc.example/"}
    assert shown_source(
        entry, **common, custom_title=None, category_override=None, story_section=None
    ) == ("News", "BBC News", "Politics")
    assert shown_source(
        entry, **common, custom_title="My BBC", category_override="Mine", story_section="Europe"
    ) == ("Mine", "My BBC", "Europe")
