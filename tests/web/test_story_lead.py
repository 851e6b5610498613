"""The story page shows the lead between the source line and the text (#11)."""

from __future__ import annotations

from tidings.model import EntryFilter
from web.conftest import WebServer, entry

STANDFIRST = "Russia is ready to declare an immediate ceasefire, the Kremlin said on Tuesday."
BODY = "<p>Officials in Moscow spoke after talks.</p><p>The second paragraph goes on.</p>"


def test_story_page_shows_a_standfirst_once(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://wire.example/feed",
        [
            entry(1, summary=f"<p>{STANDFIRST}</p>", content=BODY),
            entry(2, summary=BODY),  # the lead is the text's own first paragraph
        ],
    )
    client = web.client()
    client.login("admin")
    by_guid = {e.guid: e.id for e in web.agg.get_entries(admin.id, EntryFilter(limit=10))}
    page = client.get(f"/entry/{by_guid['guid-1']}").body
    lead = page.index(f'<p class="lead" dir="auto">{STANDFIRST}</p>')
    assert page.index('class="meta"') < lead < page.index("Officials in Moscow")
    page = client.get(f"/entry/{by_guid['guid-2']}").body
    assert '<p class="lead"' not in page
    assert page.count("Officials in Moscow") == 1
