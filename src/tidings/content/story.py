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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lxml import etree, html

from tidings.content import fingerprint
from tidings.content.article import extract_article
from tidings.content.clutter import clean_html, strip_tracking
from tidings.content.rules import RuleSubject, Verdict, apply_rules
from tidings.content.sanitize import sanitize_html
from tidings.content.source import section_of
from tidings.content.teaser import prefers_article
from tidings.content.text import first_paragraph_of_text, html_to_text
from tidings.content.words import guess_language, reading_minutes, tokens
from tidings.model import (
    Article,
    EntryData,
    EntryUpdate,
    FullTextMode,
    Rule,
    StoryContext,
    StoryData,
)

__all__ = ["FeedInfo", "Page", "build_update", "build_updates"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The feed, as far as the story step needs it."""

    id: int
    title: str | None = None
    link: str | None = None
    language: str | None = None
    mode: FullTextMode = FullTextMode.AUTO


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched article page (the final URL after redirects)."""

    url: str
    body: bytes
    content_type: str | None = None


def build_updates(
    updates: Sequence[EntryUpdate],
    feed: FeedInfo,
    context: StoryContext,
    pages: Mapping[str, Page],
) -> tuple[EntryUpdate, ...]:
    """Each update with clean content and its ``StoryData``. Pure; CPU-bound.

    ``pages`` and ``context.articles`` are keyed by canonical URL.
    """
    verdict = Verdict()
    out = []
    for update in updates:
        article = _article_for(update, context, pages) if update.is_new else None
        rules = context.rules if update.is_new else ()
        out.append(build_update(update, feed, article, rules, context, verdict))
    return tuple(out)


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
    data = update.data
    remove = context.options.remove_selectors if context is not None else ()
    content = _clean(data.content, remove)
    summary = _clean(data.summary, remove)
    link = strip_tracking(data.link) if data.link else None
    feed_html = content or summary
    feed_text = html_to_text(feed_html)
    summary_text = html_to_text(summary) if content and summary else ""
    keep = article is not None and prefers_article(feed_text, article, feed.mode)
    full = article if keep else None
    best_html = full.html if full is not None else feed_html
    text = html_to_text(full.html) if full is not None else feed_text
    words = tokens(text)
    cleaned = replace(data, content=content, summary=summary, link=link)
    story = StoryData(
        lead=_lead(summary_text, feed_text if content else "", text),
        word_count=len(words),
        reading_minutes=reading_minutes(text, len(words)),
        main_image=_main_image(cleaned, full, best_html),
        language=_language(data, full, feed, text),
        section=section_of(data.categories),
        canonical_url=fingerprint.canonical_url(link),
        full_content=full.html if full is not None else None,
        text_key=fingerprint.text_key(words),
        lead_key=fingerprint.lead_key(words),
        minhash=fingerprint.minhash(words),
        outcomes=(
            apply_rules(rules, feed.id, _subject(cleaned, text, summary_text), verdict)
            if rules
            else ()
        ),
    )
    return replace(update, data=cleaned, story=story)


def _clean(fragment: str | None, remove: Sequence[str]) -> str | None:
    cleaned = clean_html(fragment, remove=remove)
    if cleaned is None or cleaned == fragment:
        return cleaned
    return sanitize_html(cleaned) or None


def _lead(summary: str, content: str, best: str) -> str | None:
    """The feed's summary when it is not just the content again, else the first
    paragraph of the best text (all three as plain text; "" when absent)."""
    if summary and content and not content.startswith(summary[: max(20, len(summary) // 2)]):
        return first_paragraph_of_text(summary) or None
    return first_paragraph_of_text(best) or None


def _main_image(data: EntryData, article: Article | None, best_html: str | None) -> str | None:
    if data.image:
        return data.image
    if article is not None and article.image:
        return article.image
    for enclosure in data.enclosures:
        if (enclosure.type or "").startswith("image/"):
            return enclosure.url
    return _first_image(best_html)


def _first_image(fragment: str | None) -> str | None:
    if not fragment or "<img" not in fragment:
        return None
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
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
