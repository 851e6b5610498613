"""The web reader shows and sorts an entry by the one date rule (#11)."""

from __future__ import annotations

from datetime import timedelta

from tidings.model import EntryFilter
from web.conftest import NOW, WebServer, entry


def test_web_dates_follow_the_rule(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    updated = NOW - timedelta(days=400)
    web.feed(
        admin,
        "https://s.example/feed",
        [entry(1, published=None, updated=updated), entry(2)],
    )
    client = web.client()
    client.login("admin")
    river = client.get("/").body
    assert f'datetime="{updated.isoformat()}"' in river
    entry_id = web.agg.get_entries(admin.id, EntryFilter(limit=50))[-1].id
    story = client.get(f"/entry/{entry_id}").body
    assert f'datetime="{updated.isoformat()}"' in story
    # the river lists the old story last: it sorts by the same date
    assert river.index("Story 2 ") < river.index("Story 1 ")
