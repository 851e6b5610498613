"""A story's source and section, e.g. "RT — Russia & Former Soviet Union".

The source is the publication: the feed's title, or the part of it that names
the site ("NYT > U.S. News" -> "NYT"; "World news | The Guardian" -> "The
Guardian"). The section is the entry's first category that reads like one,
else the rest of the feed's title, else the user's category for the feed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tidings.model import Entry

__all__ = ["section_of", "source_and_section", "source_line", "split_feed_title"]

_SEPARATORS = (" > ", " » ", " | ", " — ", " – ", " - ", ": ")
_GENERIC = frozenset(
    [
        *("home", "homepage", "articles", "all", "news", "latest", "top", "stories", "rss"),
        *("feed", "top stories", "latest news", "front page", "all stories", "rss feed"),
    ]
)
_ID_LIKE = re.compile(r"^[\w-]*\d[\w-]*$|^https?://")


def split_feed_title(title: str | None, link: str | None = None) -> tuple[str | None, str | None]:
    """``(source, section)`` from a feed title such as "NYT > U.S. News" or
    "World news | The Guardian"; the part that looks like the site is the source."""
    if not title or not title.strip():
        return None, None
    title = " ".join(title.split())
    for sep in _SEPARATORS:
        if sep in title:
            left, right = (p.strip() for p in title.split(sep, 1))
            if not left or not right:
                continue
            brand_right = sep in (" | ", " — ", " – ") or _looks_like_site(right, link)
            if _looks_like_site(left, link):
                brand_right = False
            source, section = (right, left) if brand_right else (left, right)
            return source, None if section.lower() in _GENERIC else section
    return title, None


def _looks_like_site(part: str, link: str | None) -> bool:
    if not link:
        return False
    squashed = re.sub(r"\W+", "", part.lower())
    host = re.sub(r"^(https?://)?(www\.)?", "", link.lower()).split("/")[0]
    label = host.rsplit(".", 2)[0] if host.count(".") >= 1 else host
    label = re.sub(r"\W+", "", label.split(".")[-1])
    return bool(squashed) and bool(label) and (squashed in label or label in squashed)


def section_of(categories: Sequence[str]) -> str | None:
    """The entry's first category that reads like a section name."""
    for category in categories:
        name = " ".join(category.split())
        if 0 < len(name) <= 60 and not _ID_LIKE.match(name) and name.lower() not in _GENERIC:
            return name
    return None


def source_and_section(
    feed_title: str | None,
    feed_link: str | None,
    section: str | None,
    user_category: str | None,
) -> tuple[str | None, str | None]:
    """What to show as "source — section" for an entry."""
    source, title_section = split_feed_title(feed_title, feed_link)
    return source, section or title_section or user_category


def shown_source(
    entry: Entry,
    *,
    feed_title: str | None,
    feed_link: str | None,
    custom_title: str | None,
    category_override: str | None,
    story_section: str | None,
) -> tuple[str | None, str | None, str | None]:
    """(category, source, section) one user sees for ``entry``.

    The user's own category and feed title win; without a title of the user's,
    the feed's title is split into publication and section ("BBC News -
    World"), and the entry's own section (from the page or its categories)
    wins over the title's.
    """
    category = category_override or entry.category
    own_section = story_section or section_of(entry.categories)
    if custom_title:
        return category, custom_title, own_section or category
    source, section = source_and_section(feed_title, feed_link, own_section, category)
    return category, source or entry.feed_title, section


def source_line(entry: Entry) -> str:
    """``Source — Section``: the publication, and the entry's (or feed's) section."""
    source = entry.source or entry.feed_title or entry.feed_url
    section = entry.section
    if section is None and entry.source is None:
        section = entry.categories[0] if entry.categories else entry.category
    return f"{source} — {section}" if section else source
