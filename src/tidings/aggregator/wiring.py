"""``make_app(settings) -> Aggregator``: the only place that names the adapters.

The store engine comes from the database URL, outbound HTTP is the guarded
aiohttp fetcher, and every refresh write goes through the store's writer thread.
"""

from __future__ import annotations

import os

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite.writer import StoreWriter
from tidings.adapters.store.transfer import copy_database
from tidings.aggregator.facade import Aggregator
from tidings.model import FeedData
from tidings.ports import Store
from tidings.refresh.pool import Processors
from tidings.settings import Settings

__all__ = ["copy_database", "make_app", "read_feed"]


def make_app(settings: Settings, store: Store | None = None) -> Aggregator:
    """Open the store named by the settings (or use ``store``) and wire the adapters."""
    store = store if store is not None else open_store(settings.db_url, make_dir=not settings.db)
    return Aggregator(
        settings,
        store,
        new_fetcher=lambda: HttpFetcher(settings),
        writer=StoreWriter(store, max_feeds=store.write_group),
        processors=Processors(settings.parse_workers or os.cpu_count() or 1),
        notifiers=(),  # none yet: webhooks, metrics and live updates plug in here
    )


async def read_feed(settings: Settings, source: str) -> FeedData:
    """``tidings parse``: a local file, or a URL fetched through the guarded fetcher."""
    from tidings.aggregator.documents import parse_source

    return await parse_source(source, HttpFetcher(settings), settings.max_entries_per_fetch)
