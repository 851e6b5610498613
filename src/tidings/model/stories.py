"""Stories (#5): full text, metadata, clusters of copies, per-user filter rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tidings.model.ids import FeedId, UserId


class RuleField(StrEnum):
    TITLE = "title"
    CONTENT = "content"
    AUTHOR = "author"
    URL = "url"
    CATEGORY = "category"


class RuleAction(StrEnum):
    DROP = "drop"  # hidden for the rule's owner; the shared row stays
    READ = "read"
    STAR = "star"
    TAG = "tag"  # value: the tag
    CATEGORY = "category"  # value: the category the entry is filed under


@dataclass(frozen=True, slots=True)
class Rule:
    """A user's filter rule: when ``pattern`` matches ``field`` (or, with ``keep``,
    when it does not), apply ``action``. ``feed_id`` None: all the user's feeds."""

    field: RuleField
    pattern: str  # a regular expression (the ``regex`` module, time-bounded)
    action: RuleAction
    value: str | None = None
    keep: bool = False
    feed_id: FeedId | None = None
    feed_url: str | None = None
    user_id: UserId = UserId(0)
    id: int = 0


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one user's rules do to one entry."""

    user_id: UserId
    hidden: bool = False
    read: bool = False
    starred: bool = False
    tags: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A page's extracted article: sanitized HTML and what was learnt on the way."""

    html: str
    words: int
    image: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class StoryOptions:
    """Per-feed extraction options (on the shared feed row)."""

    body_selector: str | None = None  # CSS: the article body on the feed's pages
    remove_selectors: tuple[str, ...] = ()  # CSS: clutter to cut from pages and content


@dataclass(frozen=True, slots=True)
class StoryContext:
    """What the enrich step loads before deciding: options, subscribers' rules, and
    articles already extracted for these URLs (the page cache)."""

    options: StoryOptions = StoryOptions()
    rules: tuple[Rule, ...] = ()
    articles: Mapping[str, Article] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoryData:
    """An entry's story, computed by the enrich step and stored with the entry."""

    lead: str | None
    word_count: int
    reading_minutes: int
    main_image: str | None
    language: str | None
    section: str | None
    canonical_url: str | None
    full_content: str | None = None  # the extracted article, when it beats the feed's text
    text_key: str | None = None  # digest of the normalized text (long enough texts only)
    lead_key: str | None = None  # digest of its first words
    minhash: tuple[int, ...] | None = None  # MinHash of its 3-shingles (long enough texts)
    outcomes: tuple[RuleOutcome, ...] = ()
    keys: tuple[int, ...] | None = None  # its clustering index keys; None: the store computes them
