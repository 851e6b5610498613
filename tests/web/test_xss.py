"""HOSTILE C6, C7: stored markup in titles, names and URLs is escaped or dropped on
every page; the only markup that reaches a page is the sanitizer's output."""

from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawdb import raw_db

from tidings.model import EntryFilter
from tidings.web.render import highlighted, make_environment, safe_url
from web.conftest import NOW, WebServer, entry

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
BAD_URLS = [
    "javascript:alert(3)",
    " JaVaScRiPt:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    "vbscript:msgbox(6)",
    "java\tscript:alert(7)",
    "\x01javascript:alert(8)",
]


def _hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


def test_hostile_fields_are_escaped_everywhere(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    hostile = [
        entry(
            i,
            title=f"{SCRIPT} {IMG} harbour {i}",
            link=url,
            image=url,
            author=SCRIPT,
            comments=url,
            categories=(SCRIPT,),
            summary=f"<p>harbour {IMG}</p>",
        )
        for i, url in enumerate(BAD_URLS)
    ]
    feed_id = web.feed(
        admin,
        "https://evil.example/feed",
        hostile,
        category=f"Cat {SCRIPT}",
        title=f"Feed {SCRIPT}",
    )
    with raw_db(web.agg.settings.db_url) as conn:
        conn.execute(
            "UPDATE feeds SET link = ?, last_error = ? WHERE id = ?",
            (BAD_URLS[0], f"boom {SCRIPT}", feed_id),
        )
    client = web.client()
    client.login("admin")
    entry_ids = [e.id for e in web.agg.get_entries(admin.id, EntryFilter())]
    pages = [
        "/",
        "/?view=unread",
        f"/feed/{feed_id}",
        f"/feed/{feed_id}/edit",
        "/subscriptions",
        f"/category/{quote('Cat ' + SCRIPT, safe='')}",
        "/search?q=harbour",
        "/search?q=" + quote(SCRIPT),
        *[f"/entry/{i}" for i in entry_ids],
    ]
    for path in pages:
        response = client.get(path)
        assert response.status in (200, 400), path
        body = response.body
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "onerror=" not in body.replace("onerror=&#34;", ""), path
        for url in _hrefs(body):
            assert not url.lower().lstrip().startswith(("javascript", "data", "vbscript")), (
                path,
                url,
            )
        assert "&lt;script&gt;" in body or path.startswith("/search?q=%3C"), path


def test_search_highlights_are_built_from_escaped_text() -> None:
    marked = highlighted(f"a \x02{SCRIPT}\x03 b")
    assert str(marked) == "a <mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark> b"


def test_safe_url_allows_only_http_and_https() -> None:
    for url in [*BAD_URLS, "", None, "ftp://x", "//evil.example", "mailto:x@y"]:
        assert safe_url(url) == "#"
    assert safe_url("https://news.example/a?b=1") == "https://news.example/a?b=1"
    assert safe_url(" http://news.example/ ") == "http://news.example/"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_any_title_renders_as_text(title: str) -> None:
    env = make_environment()
    template = env.get_template("_cards.html")

    class V:
        csrf = "t"

    class L:
        @staticmethod
        def url() -> str:
            return "/"

    from tidings.model import Entry, EntryId, FeedId

    e = Entry(
        id=EntryId(1),
        feed_id=FeedId(1),
        feed_url="https://x.example/",
        feed_title=title,
        category=title,
        guid="g",
        title=title,
        link=title,
        author=title,
        published=NOW,
        updated=None,
        summary=None,
        content=None,
        categories=(title,),
        enclosures=(),
        image=title,
        comments=None,
        first_seen=NOW,
    )
    html = template.render(entries=[e], v=V(), listing=L(), more=None)
    text_parts = re.sub(
        r"<(/?)(article|img|h2|a|p|span|time|div|form|input|button)\b[^>]*>", "", html
    )
    assert "<" not in text_parts
    for url in _hrefs(html):
        assert url in ("#", "/entry/1?from=%2F", "/") or url.startswith(("http://", "https://"))
