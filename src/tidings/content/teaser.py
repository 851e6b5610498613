"""Is this entry only a teaser, and is the fetched article worth more than it?

Mode ``auto`` fetches the page for a short text (under ``TEASER_WORDS``
words), a text ending in an ellipsis, or one ending in "read more" /
"continue reading" / "The post … appeared first on …"; then it keeps the
article only when it is much longer than the feed's text and plausibly the
same story (most of the teaser's words occur in it: a paywall or consent page
shares almost none). Mode ``always`` fetches every new entry and keeps the
article unless it is shorter; ``never`` fetches nothing.
"""

from __future__ import annotations

import re

from tidings.content.text import html_to_text
from tidings.content.words import tokens
from tidings.model import Article, EntryData, FullTextMode

__all__ = ["TEASER_WORDS", "looks_like_teaser", "prefers_article", "wants_page"]

TEASER_WORDS = 120
MIN_OVERLAP = 0.5
_ELLIPSIS_RE = re.compile(r"(\.\.\.|…|\[\s*(…|\.\.\.|&hellip;)\s*\])[\s\])»›]*\Z")
_MORE_RE = re.compile(
    r"\b(read (more|the (full|rest of the|original) (story|article|post))|continue reading"
    r"|appeared first on|full (story|article) (at|on))\b",
    re.IGNORECASE,
)


def looks_like_teaser(data: EntryData, text: str | None = None, words: int | None = None) -> bool:
    """Does the feed give only the beginning of the story? ``text``: the plain text
    of ``data.content or data.summary``, and ``words`` its word count, when the
    caller has them already."""
    if text is None:
        text, words = html_to_text(data.content or data.summary), None
    if (len(tokens(text)) if words is None else words) < TEASER_WORDS:
        return True
    if _ELLIPSIS_RE.search(text):
        return True
    return _MORE_RE.search(text[-300:]) is not None


def wants_page(
    data: EntryData,
    mode: FullTextMode,
    is_new: bool,
    text: str | None = None,
    words: int | None = None,
) -> bool:
    """Should the refresh fetch this entry's article page? (``text`` and ``words``
    as for ``looks_like_teaser``.)"""
    if not is_new or not data.link or mode == FullTextMode.NEVER:
        return False
    return mode == FullTextMode.ALWAYS or looks_like_teaser(data, text, words)


def prefers_article(feed_text: str, article: Article, mode: FullTextMode) -> bool:
    """Keep the extracted article instead of the feed's own text?"""
    if mode == FullTextMode.NEVER or article.words == 0:
        return False
    feed_words = tokens(feed_text)
    if not _same_story(feed_words, html_to_text(article.html)):
        return False
    if mode == FullTextMode.ALWAYS:
        return article.words >= len(feed_words)
    return article.words >= 1.25 * len(feed_words) + 20


def _same_story(feed_words: list[str], article_text: str) -> bool:
    distinct = {w for w in feed_words if len(w) >= 4}
    if len(distinct) < 8:
        return True  # too little to tell; the length rule decides
    found = set(tokens(article_text))
    return len(distinct & found) >= MIN_OVERLAP * len(distinct)
