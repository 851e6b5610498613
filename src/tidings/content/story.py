"""The story of an entry: clean text, full text when it is better, metadata, rules.

``build_updates`` is the CPU-bound half of the refresh's enrich step: a pure
function of the entries, the fetched pages and what the store said, so it can
run in the refresh's worker pool. For each new or changed entry it

1. cuts clutter from the feed's content and summary (and tracking parameters
   from the link), then re-sanitizes them;
2. extracts the fetched page, if any (new entries only), and keeps the article
   when it beats the feed's text (``teaser.prefers_article``);
3. computes the lead, word count, reading time, main image, language, section,
   canonical URL, text key and SimHash;
4. runs the subscribers' filter rules (new entries only).

"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from lxml import etree, html

from tidings.content import fingerprint
from tidings.content.cluster import story_keys
from tidings.content.clutter import clean_parsed, strip_tracking
from tidings.content.rules import RuleSubject, Verdict, apply_rules
from tidings.content.sanitize import sanitize_html
from tidings.content.source import section_of
from tidings.content.teaser import prefers_article, wants_page
from tidings.content.text import (
    first_paragraph_of_text,
    html_to_text,
    opens_with,
    plain_text,
    tree_text,
)
from tidings.content.words import guess_language, reading_minutes, tokens
from tidings.model import (
    Article,
    EntryData,
    EntryUpdate,
    FeedData,
    FullTextMode,
    Rule,
    StoryContext,
    StoryData,
)

__all__ = [
    "MAX_PAGES",
    "FeedInfo",
    "Page",
    "StoryJob",
    "build_stories",
    "build_update",
    "build_updates",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The feed, as far as the story step needs it."""

    id: int
    title: str | None = None
    link: str | None = None
    language: str | None = None
    mode: FullTextMode = FullTextMode.AUTO

    @classmethod
    def of(
        cls,
        feed_id: int,
        feed: FeedData,
        title: str | None,
        link: str | None,
        mode: FullTextMode,
    ) -> FeedInfo:
        """From the document just parsed, the stored title and link standing in."""
        return cls(feed_id, feed.title or title, feed.link or link, feed.language, mode)


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched article page (the final URL after redirects)."""

    url: str
    body: bytes
    content_type: str | None = None


Prepare = Callable[[Sequence[EntryUpdate]], tuple[EntryUpdate, ...]]
"""The last CPU work on entries before the store (``with_search_text``), picklable."""


def with_search_text(entries: Sequence[EntryUpdate]) -> tuple[EntryUpdate, ...]:
    """``entries`` with the plain text the search index stores, from their final
    data: pure, so the refresh runs it in a worker process, not the writer (#4)."""
    return tuple(
        replace(e, search_text=plain_text(e.data.content or e.data.summary)) for e in entries
    )


MAX_PAGES = 40  # article pages fetched per feed refresh, at most


@dataclass(frozen=True, slots=True)
class StoryJob:
    """The story step of one feed's refresh, run where its document is parsed
    (``tidings.refresh.StoryStep``): everything it needs, picklable."""

    feed_id: int
    title: str | None  # the feed's, as stored (the document's wins)
    link: str | None
    mode: FullTextMode
    context: StoryContext  # options and rules (no page cache: no pages yet)
    max_pages: int = MAX_PAGES
    prepare: Prepare | None = None

    def __call__(
        self, feed: FeedData, updates: tuple[EntryUpdate, ...]
    ) -> tuple[tuple[EntryUpdate, ...], dict[str, str]]:
        info = FeedInfo.of(self.feed_id, feed, self.title, self.link, self.mode)
        return build_stories(updates, info, self.context, self.max_pages, self.prepare)


def build_updates(
    updates: Sequence[EntryUpdate],
    feed: FeedInfo,
    context: StoryContext,
    pages: Mapping[str, Page],
    prepare: Prepare | None = None,
) -> tuple[EntryUpdate, ...]:
    """Each update with clean content and its ``StoryData``. Pure; CPU-bound.

    ``pages`` and ``context.articles`` are keyed by canonical URL. ``prepare``
    (``with_search_text``) finishes the entries in the same call.
    """
    verdict = Verdict()
    out = []
    for update in updates:
        article = _article_for(update, context, pages) if update.is_new else None
        rules = context.rules if update.is_new else ()
        out.append(_build(update, feed, article, rules, context, verdict)[0])
    return prepare(out) if prepare is not None else tuple(out)


def build_stories(
    updates: Sequence[EntryUpdate],
    feed: FeedInfo,
    context: StoryContext,
    max_pages: int,
    prepare: Prepare | None = None,
) -> tuple[tuple[EntryUpdate, ...], dict[str, str]]:
    """Every entry's story from the feed's own text (``build_updates`` without
    pages), and the article pages wanted for new teasers: canonical URL -> link
    (tracking stripped), at most ``max_pages``. One pass: the teaser test reads
    the text the story step computes anyway (#4)."""
    verdict = Verdict()
    out: list[EntryUpdate] = []
    wanted: dict[str, str] = {}
    for update in updates:
        rules = context.rules if update.is_new else ()
        built, raw_text = _build(update, feed, None, rules, context, verdict)
        out.append(built)
        link = update.data.link
        # with no article, the story's text is the feed's: its word count is known
        words = built.story.word_count if raw_text is not None and built.story else None
        if (
            link
            and len(wanted) < max_pages
            and wants_page(update.data, feed.mode, update.is_new, raw_text, words)
        ):
            wanted.setdefault(fingerprint.canonical_url(link) or link, strip_tracking(link))
    return (prepare(out) if prepare is not None else tuple(out)), wanted


def _article_for(
    update: EntryUpdate, context: StoryContext, pages: Mapping[str, Page]
) -> Article | None:
    link = update.data.link
    if not link:
        return None
    key = fingerprint.canonical_url(link) or link
    cached = context.articles.get(key)
    if cached is not None:
        return cached
    page = pages.get(key)
    if page is None:
        return None
    from tidings.content.article import extract_article  # trafilatura: only once a page came

    try:
        return extract_article(
            page.body, page.url, content_type=page.content_type, options=context.options
        )
    except Exception:  # untrusted page: any extractor failure keeps the feed's own text
        log.warning("extraction failed for %s", page.url, exc_info=True)
        return None


def build_update(
    update: EntryUpdate,
    feed: FeedInfo,
    article: Article | None,
    rules: Sequence[Rule],
    context: StoryContext | None = None,
    verdict: Verdict | None = None,
) -> EntryUpdate:
    """One entry: clean its content, choose the better text, compute its story."""
    return _build(update, feed, article, rules, context, verdict)[0]


def _build(
    update: EntryUpdate,
    feed: FeedInfo,
    article: Article | None,
    rules: Sequence[Rule],
    context: StoryContext | None,
    verdict: Verdict | None,
) -> tuple[EntryUpdate, str | None]:
    """``build_update``, and the plain text of the entry's content (or summary) as
    the feed gave it, when cleaning cut nothing from it (None: not known)."""
    data = update.data
    remove = context.options.remove_selectors if context is not None else ()
    content = _clean(data.content, remove)
    summary = _clean(data.summary, remove)
    link = strip_tracking(data.link) if data.link else None
    feed_part = content if content.markup else summary
    feed_text = feed_part.text
    summary_text = summary.text if content.markup and summary.markup else ""
    keep = article is not None and prefers_article(feed_text, article, feed.mode)
    full = article if keep else None
    text = html_to_text(full.html) if full is not None else feed_text
    words = tokens(text)
    cleaned = replace(data, content=content.markup, summary=summary.markup, link=link)
    canonical = fingerprint.canonical_url(link)
    text_key, lead_key = fingerprint.text_key(words), fingerprint.lead_key(words)
    minhash = fingerprint.minhash(words)
    story = StoryData(
        lead=_lead(summary.text if summary.markup else "", text),
        word_count=len(words),
        reading_minutes=reading_minutes(text, len(words)),
        main_image=_main_image(cleaned, full, feed_part),
        language=_language(data, full, feed, text),
        section=section_of(data.categories),
        canonical_url=canonical,
        full_content=full.html if full is not None else None,
        text_key=text_key,
        lead_key=lead_key,
        minhash=minhash,
        outcomes=(
            apply_rules(rules, feed.id, _subject(cleaned, text, summary_text), verdict)
            if rules
            else ()
        ),
        keys=story_keys(canonical, text_key, lead_key, minhash),
    )
    raw = content if data.content else summary  # the text the feed gave
    return replace(update, data=cleaned, story=story), (raw.text if raw.same else None)


@dataclass(slots=True)
class _Cleaned:
    markup: str | None  # clean (re-sanitized when something was cut)
    text: str  # its plain text
    same: bool  # nothing was cut: ``markup`` is the fragment as given
    root: html.HtmlElement | None = None  # its parsed tree, when at hand


def _clean(fragment: str | None, remove: Sequence[str]) -> _Cleaned:
    cleaned, root = clean_parsed(fragment, remove=remove)
    if root is not None:  # nothing cut, and the markup already parsed
        return _Cleaned(cleaned, tree_text(root), True, root)
    if cleaned is None or cleaned == fragment:
        return _Cleaned(cleaned, html_to_text(cleaned), cleaned == fragment)
    cleaned = sanitize_html(cleaned) or None
    return _Cleaned(cleaned, html_to_text(cleaned), False)


def _lead(summary: str, best: str) -> str | None:
    """The feed's summary (its first paragraph) when the text shown does not open
    with it (a standfirst above the feed's content or the fetched article, #11),
    else the first paragraph of that text (both plain text; "" when absent)."""
    if summary and not opens_with(best, summary):
        return first_paragraph_of_text(summary) or None
    return first_paragraph_of_text(best) or None


def _main_image(data: EntryData, article: Article | None, feed: _Cleaned) -> str | None:
    """The entry's own image, the article's, an image enclosure, or the first image
    of the text shown (the article's when kept, else the feed's)."""
    if data.image:
        return data.image
    if article is not None and article.image:
        return article.image
    for enclosure in data.enclosures:
        if (enclosure.type or "").startswith("image/"):
            return enclosure.url
    if article is not None:
        return _first_image(article.html)
    if feed.root is not None:
        return _first_image_in(feed.root)
    return _first_image(feed.markup)


def _first_image(fragment: str | None) -> str | None:
    if not fragment or "<img" not in fragment:
        return None
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    return _first_image_in(root)


def _first_image_in(root: html.HtmlElement) -> str | None:
    for img in root.iter("img"):
        src = str(img.get("src") or "")
        if src.startswith(("https://", "http://")):
            return src
    return None


def _language(data: EntryData, article: Article | None, feed: FeedInfo, text: str) -> str | None:
    declared = data.language or (article.language if article else None) or feed.language
    if declared:
        return declared.lower()
    return guess_language(text)


def _subject(data: EntryData, text: str, summary: str) -> RuleSubject:
    return RuleSubject(
        title=data.title or "",
        content=f"{text}\n{summary}" if summary else text,
        author=data.author or "",
        url=data.link or "",
        categories=data.categories,
    )
