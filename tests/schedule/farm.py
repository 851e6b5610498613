"""Feeds on the loopback feed server, followed by an Aggregator's default user."""

from __future__ import annotations

from datetime import UTC, datetime

from feeds import rss
from feedserver import FeedServer

from tidings.aggregator import Aggregator


def subscribe(agg: Aggregator, server: FeedServer, n: int, *, entries: int = 3) -> list[str]:
    """Serve ``n`` RSS feeds of ``entries`` entries (each with its own site) and follow them."""
    user = agg.user_id()
    urls = []
    for i in range(n):
        server.set(f"/f{i}.xml", rss(entries, title=f"F{i}", base=f"https://s{i}.example/"))
        urls.append(server.url(f"/f{i}.xml"))
        agg.store.add_feed(user, urls[-1], category=None, now=datetime.now(UTC))
    return urls
