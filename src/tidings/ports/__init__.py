"""The interfaces between the core and its adapters, one module per concern.

The refresh pipeline and the services depend on these protocols only;
``tidings.aggregator.wiring`` plugs the concrete adapters in. Services take the
narrowest protocol they need.
"""

from tidings.ports.fetch import FeedParser, Fetcher, IconFetcher, Sanitizer
from tidings.ports.jobs import JobQueue
from tidings.ports.notify import Notifier
from tidings.ports.store import (
    AccountStore,
    FeedStore,
    IconStore,
    PlaybackStore,
    PublishStore,
    ReadingStore,
    RefreshStore,
    RetentionStore,
    RuleStore,
    SavedSearchStore,
    SearchStore,
    Store,
    StoryStore,
    SyncStore,
    WebSubStore,
)

__all__ = [
    "AccountStore",
    "FeedParser",
    "FeedStore",
    "Fetcher",
    "IconFetcher",
    "IconStore",
    "JobQueue",
    "Notifier",
    "PlaybackStore",
    "PublishStore",
    "ReadingStore",
    "RefreshStore",
    "RetentionStore",
    "RuleStore",
    "Sanitizer",
    "SavedSearchStore",
    "SearchStore",
    "Store",
    "StoryStore",
    "SyncStore",
    "WebSubStore",
]
