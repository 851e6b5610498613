"""A deleted entry (#15) is a tombstone while its feed carries it: a poll of the whole
document forgets those it no longer carries, a WebSub push (maybe a part) does not."""

from __future__ import annotations

import asyncio

from feeds import rss
from feedserver import FeedServer
from rawdb import raw_db

from tidings.aggregator import make_app
from tidings.aggregator.websub import PushedDocument
from tidings.core.dedupe import DELETED
from tidings.model import EntryFilter
from tidings.settings import load_settings


def test_a_push_keeps_tombstones_and_a_poll_forgets_those_gone(
    db_url: str, feed_server: FeedServer
) -> None:
    settings = load_settings(
        {"db": db_url, "allow_private_networks": "127.0.0.0/8", "retention_keep_per_feed": 1},
        environ={},
    )
    feed_server.set("/f.xml", rss(3))
    url = feed_server.url("/f.xml")
    with make_app(settings) as agg:
        user = agg.user_id()
        feed = asyncio.run(agg.add_feed(user, url, discover=False))
        assert asyncio.run(agg.refresh()).new_entries == 3
        with raw_db(db_url) as db:
            db.execute("UPDATE entries SET first_seen_at = first_seen_at - ?", (400 * 86400,))
        counts = agg.cleanup.run()
        assert counts is not None and counts.entries == 2

        def tombstones() -> set[str]:
            hashes = agg.store.get_entry_hashes(feed.id)
            return {guid for guid, h in hashes.items() if h == DELETED}

        assert tombstones() == {"story-0", "story-1"}
        pushed = PushedDocument(url, rss(1, start=2), "application/rss+xml", agg.new_fetcher())
        assert asyncio.run(agg.refresh([url], fetcher=pushed)).ok == 1
        assert tombstones() == {"story-0", "story-1"}
        feed_server.set("/f.xml", rss(2, start=1))
        summary = asyncio.run(agg.refresh([url]))
        assert (summary.ok, summary.new_entries) == (1, 0)
        assert tombstones() == {"story-1"}
        assert [e.guid for e in agg.get_entries(user, EntryFilter())] == ["story-2"]
