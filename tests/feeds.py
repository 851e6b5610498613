"""Builders for small, realistic feed documents used across the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


def rss(
    n: int,
    *,
    title: str = "Fixture News",
    start: int = 0,
    base: str = "https://news.example/",
    category: str | None = "World",
    now: datetime | None = None,
) -> bytes:
    """An RSS 2.0 feed with items ``start .. start+n-1``, newest first."""
    now = now or datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    items = []
    for i in reversed(range(start, start + n)):
        when = format_datetime(now - timedelta(hours=(start + n - i)))
        cat = f"<category>{escape(category)}</category>" if category else ""
        items.append(
            f"""<item>
  <title>Story number {i} &amp; more</title>
  <link>{base}story/{i}</link>
  <guid isPermaLink="false">story-{i}</guid>
  <pubDate>{when}</pubDate>
  <author>desk@news.example (News Desk)</author>
  {cat}
  <description><![CDATA[<p>Lead paragraph of story {i}.</p><p>Second paragraph with <a href="/rel/{i}">a relative link</a>.</p><script>alert({i})</script>]]></description>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>{escape(title)}</title><link>{base}</link><description>Fixture feed</description>
<language>en</language>
{''.join(items)}
</channel></rss>""".encode()


def atom(n: int, *, title: str = "Fixture Atom", base: str = "https://blog.example/") -> bytes:
    entries = "".join(
        f"""<entry><id>tag:blog.example,2026:{i}</id><title type="html">Post &lt;b&gt;{i}&lt;/b&gt;</title>
<link rel="alternate" href="{base}post/{i}"/><updated>2026-11-{10 + i:02d}T08:00:00Z</updated>
<author><name>Writer {i}</name></author>
<content type="html">&lt;p&gt;Body of post {i}&lt;/p&gt;</content></entry>"""
        for i in range(n)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(title)}</title>
<id>urn:blog</id><updated>2026-11-20T00:00:00Z</updated>
<link rel="alternate" href="{base}"/>{entries}</feed>""".encode()
