"""Builders for teaser feeds and the article pages they link to (with clutter)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

TOPICS = [
    ("harbour", "The harbour authority approved a new breakwater after a decade of storms"),
    ("orchard", "Apple growers in the valley report the largest harvest in thirty years"),
    ("observatory", "Astronomers at the mountain observatory catalogued a faint new comet"),
    ("railway", "The regional railway will restore night trains between the two capitals"),
    ("library", "The city library reopened its reading rooms after a long renovation"),
    ("glacier", "Researchers measured the retreat of the northern glacier for a fifth year"),
]

CLUTTER_LINES = [
    "You can share this story on social media:",
    "Read more",
    "Source link",
    "Share this article",
    "Follow us on Twitter and Facebook",
    "Subscribe to our newsletter",
    "Continue reading…",
    "Advertisement",
]


_WORDS = (
    "council residents engineers budget bridge river station tunnel valley village harvest "
    "weather storm winter summer autumn spring market prices workers union school teachers "
    "students hospital doctors nurses museum gallery painting concert orchestra theatre "
    "festival league match season coach players stadium airport flights passengers ferry "
    "harbour fishermen boats coast lighthouse island mountain forest wildlife rangers farmers "
    "orchard apples vineyard wine cheese bakery library books archive letters history mayor "
    "minister parliament election voters survey report scientists telescope comet planet "
    "satellite laboratory experiment vaccine research university professor company factory "
    "exports energy solar wind turbines grid batteries cars buses trains tracks timetable"
)
_VOCABULARY = _WORDS.split()


def paragraphs(i: int, n: int = 8) -> list[str]:
    """``n`` paragraphs of story ``i``: its lead, then words no other story shares in order."""
    slug, lead = TOPICS[i % len(TOPICS)]
    rng = random.Random(i)
    out = [f"{lead}, officials said on Tuesday in a statement about story {i}."]
    for k in range(1, n):
        words = " ".join(rng.choice(_VOCABULARY) for _ in range(30))
        out.append(f"Paragraph {k} on the {slug}: {words}.")
    return out


def article_page(i: int, *, n: int = 8, title: str | None = None) -> bytes:
    """A full article page wrapped in navigation, share bars, a newsletter box and tracking."""
    slug, _lead = TOPICS[i % len(TOPICS)]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs(i, n))
    headline = escape(title or f"The {slug} story {i}")
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{headline} | Fixture Times</title>
<meta property="og:image" content="https://img.example/{slug}-{i}.jpg">
<link rel="canonical" href="https://news.example/{slug}/{i}">
<script>window.tracker = 1;</script></head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>{headline}</h1>
<p class="byline">By Ada Reporter</p>
{body}
<p>You can share this story on social media:</p>
<div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a>
<a href="https://twitter.com/intent/tweet?url=x">Twitter</a></div>
<div class="newsletter"><h3>Newsletter</h3><p>Sign up for our morning newsletter and get
the news in your inbox.</p><form><input type="email"></form></div>
<p>Read more</p>
<p>Related: <a href="https://news.example/other?utm_source=page&amp;utm_medium=x">another story</a></p>
<img src="https://track.example/p.gif" width="1" height="1">
<p>Source link</p>
</article></main>
<footer><p>© Fixture Times. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>""".encode()


def teaser_feed(
    base: str,
    ids: list[int],
    *,
    title: str = "Fixture Times - World",
    path: str = "/article/",
    extra: str = "",
    now: datetime | None = None,
) -> bytes:
    """An RSS feed whose items carry only a teaser ending in "Read more" and clutter."""
    now = now or datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    base = base.rstrip("/")
    items = []
    for n, i in enumerate(ids):
        slug, lead = TOPICS[i % len(TOPICS)]
        when = format_datetime(now - timedelta(hours=n))
        link = f"{base}{path}{i}?utm_source=rss&amp;utm_medium=feed&amp;fbclid=abc"
        items.append(
            f"""<item><title>The {slug} story {i}</title>
<link>{link}</link><guid isPermaLink="false">{path}{i}</guid><pubDate>{when}</pubDate>
<category>Russia &amp; Former Soviet Union</category>
<description><![CDATA[<p>{escape(lead)}…</p>{extra}<p><a href="{link}">Read more</a></p>
<p>You can share this story on social media:</p><img src="{base}/pixel.gif" width="1" height="1">]]></description>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>{base}/</link>
<description>Teasers</description><language>en</language>
{"".join(items)}
</channel></rss>""".encode()
