"""Data types shared by every part of Tidings.

Types carry their direction in their name:

- ``*Data`` came from the wire (parsed, untrusted until sanitized);
- ``*State`` came from the store;
- ``*Update`` goes to the store.

All datetimes are timezone-aware and in UTC. One module per domain; import from
``tidings.model``.
"""

from __future__ import annotations

from tidings.model.accounts import ApiLogin, User
from tidings.model.entries import (
    DateSource,
    Duplicate,
    Enclosure,
    Entry,
    EntryData,
    EntryFilter,
    EntryUpdate,
    entry_date,
)
from tidings.model.feeds import (
    BatchSummary,
    Feed,
    FeedCount,
    FeedData,
    FeedState,
    FeedUpdate,
    FullTextMode,
    RefreshResult,
    WebSubState,
)
from tidings.model.fetch import (
    NO_CACHING,
    Caching,
    Fetched,
    FetchError,
    FetchResult,
    Hints,
    NotModified,
    Posted,
)
from tidings.model.icons import Icon, IconJob
from tidings.model.ids import EntryId, FeedId, UserId
from tidings.model.publishing import Publication
from tidings.model.retention import CleanupCounts, Retention
from tidings.model.searches import SavedSearch
from tidings.model.stories import (
    Article,
    Rule,
    RuleAction,
    RuleField,
    RuleOutcome,
    StoryContext,
    StoryData,
    StoryOptions,
)
from tidings.model.transfer import CopyOutcome, CopyReport, TableCheck

__all__ = [
    "NO_CACHING",
    "ApiLogin",
    "Article",
    "BatchSummary",
    "Caching",
    "CleanupCounts",
    "CopyOutcome",
    "CopyReport",
    "DateSource",
    "Duplicate",
    "Enclosure",
    "Entry",
    "EntryData",
    "EntryFilter",
    "EntryId",
    "EntryUpdate",
    "Feed",
    "FeedCount",
    "FeedData",
    "FeedId",
    "FeedState",
    "FeedUpdate",
    "FetchError",
    "FetchResult",
    "Fetched",
    "FullTextMode",
    "Hints",
    "Icon",
    "IconJob",
    "NotModified",
    "Posted",
    "Publication",
    "RefreshResult",
    "Retention",
    "Rule",
    "RuleAction",
    "RuleField",
    "RuleOutcome",
    "SavedSearch",
    "StoryContext",
    "StoryData",
    "StoryOptions",
    "TableCheck",
    "User",
    "UserId",
    "WebSubState",
    "entry_date",
]
