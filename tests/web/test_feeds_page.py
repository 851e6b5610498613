"""The feeds page (#15): failing feeds first, under a summary line."""

from __future__ import annotations

import re
from datetime import timedelta

from tidings.model import FeedId, FeedUpdate
from web.conftest import NOW, WebServer, entry


def _fail(web: WebServer, feed_id: int, error: str) -> None:
    update = FeedUpdate(
        feed_id=FeedId(feed_id), fetched_at=NOW, next_check_at=NOW + timedelta(hours=1), error=error
    )
    web.agg.store.apply_refresh(update, [])


def test_failing_feeds_come_first_under_a_summary(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    ids = {
        name: web.feed(admin, f"https://{name}.example/feed", [entry(0, id=name)], title=name)
        for name in ("Alpha", "Bravo", "Charlie", "Delta")
    }
    client = web.client()
    client.login("admin")
    page = client.get("/subscriptions").body
    assert re.search(r'class="health-summary[^"]*"[^>]*>\s*All 4 feeds are fine', page)
    _fail(web, ids["Charlie"], "HTTP 404")
    _fail(web, ids["Delta"], "timed out")
    page = client.get("/subscriptions").body
    assert re.search(r'class="health-summary[^"]*"[^>]*>\s*2 feeds failing', page)
    rows = re.findall(r'<tr( class="failing")?>\s*<td class="feed"><a href="/feed/(\d+)"', page)
    assert [(bool(failing), int(i)) for failing, i in rows] == [
        (True, ids["Charlie"]),
        (True, ids["Delta"]),
        (False, ids["Alpha"]),
        (False, ids["Bravo"]),
    ]
    web.agg.store.apply_refresh(FeedUpdate(FeedId(ids["Delta"]), NOW, NOW + timedelta(hours=1)), [])
    page = client.get("/subscriptions").body
    assert re.search(r'class="health-summary[^"]*"[^>]*>\s*1 feed failing', page)
