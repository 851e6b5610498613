"""Tidings: a self-hosted news feed aggregator and reader.

``import tidings`` is light: the facade (``make_app``) and its adapters load on
first use.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tidings.errors import (
    DiscoveryError,
    FetchFailedError,
    InvalidURLError,
    NotFoundError,
    ParseError,
    StorageError,
    TidingsError,
)
from tidings.model import (
    Entry,
    EntryData,
    EntryFilter,
    Feed,
    FeedData,
    FeedState,
    RefreshResult,
)
from tidings.settings import Settings, load_settings

if TYPE_CHECKING:
    from tidings.aggregator import Aggregator, make_app

__all__ = [
    "Aggregator",
    "DiscoveryError",
    "Entry",
    "EntryData",
    "EntryFilter",
    "Feed",
    "FeedData",
    "FeedState",
    "FetchFailedError",
    "InvalidURLError",
    "NotFoundError",
    "ParseError",
    "RefreshResult",
    "Settings",
    "StorageError",
    "TidingsError",
    "load_settings",
    "make_app",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in {"Aggregator", "make_app"}:
        from tidings import aggregator

        return getattr(aggregator, name)
    raise AttributeError(name)
