"""The web reader shows and sorts an entry by the one date rule (#11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tidings.model import EntryFilter
from web.conftest import NOW, PASSWORD, WebServer, entry


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


OLD = datetime(2025, 1, 15, 20, 0, tzinfo=UTC)  # 16 Jan 05:00 in Tokyo, 15:00 in New York


def _old_story(web: WebServer) -> tuple[int, int]:
    admin = web.agg.accounts.get_users()[0]
    feed = web.feed(admin, "https://s.example/feed", [entry(1, published=OLD)])
    return feed, web.agg.get_entries(admin.id, EntryFilter(limit=5))[0].id


def test_times_show_in_the_zone_the_browser_sent_at_sign_in(web: WebServer) -> None:
    feed, story = _old_story(web)
    client = web.client()
    client.get("/login")
    signed = client.post(
        "/login", {"name": "admin", "password": PASSWORD, "time_zone": "Asia/Tokyo"}
    )
    assert signed.status == 303
    page = client.get(f"/entry/{story}").body
    assert "16 Jan 2025, 05:00 JST" in page
    assert f'datetime="{OLD.isoformat()}"' in page  # machine-readable: UTC
    assert "16 Jan 2025" in client.get("/").body  # an old card's date, in Tokyo
    assert "JST" in client.get(f"/feed/{feed}/edit").body  # the feed's checks
    assert 'value="Asia/Tokyo" selected' in client.get("/settings").body


def test_settings_change_the_zone_and_a_later_sign_in_keeps_it(web: WebServer) -> None:
    _, story = _old_story(web)
    client = web.client()
    client.get("/login")
    client.post("/login", {"name": "admin", "password": PASSWORD, "time_zone": "Asia/Tokyo"})
    client.get("/settings")
    saved = client.post("/settings", {"theme": "system", "time_zone": "America/New_York"})
    assert saved.status == 303
    assert "15 Jan 2025, 15:00 EST" in client.get(f"/entry/{story}").body
    bad = client.post("/settings", {"theme": "dark", "time_zone": "Mars/Olympus_Mons"})
    assert bad.status == 400 and "time zone" in bad.body
    assert web.agg.accounts.get_settings(web.agg.accounts.get_users()[0].id).theme == "system"
    # the browser's zone is only a default: a chosen zone stays at the next sign-in
    other = web.client()
    other.get("/login")
    other.post("/login", {"name": "admin", "password": PASSWORD, "time_zone": "Europe/Paris"})
    assert "15 Jan 2025, 15:00 EST" in other.get(f"/entry/{story}").body


def test_without_a_zone_times_are_utc_and_a_bad_one_is_ignored(web: WebServer) -> None:
    _, story = _old_story(web)
    client = web.client()
    client.get("/login")
    client.post("/login", {"name": "admin", "password": PASSWORD, "time_zone": "<b>Nowhere"})
    assert "15 Jan 2025, 20:00 UTC" in client.get(f"/entry/{story}").body
    assert web.agg.accounts.get_time_zone(web.agg.accounts.get_users()[0].id) == "UTC"
