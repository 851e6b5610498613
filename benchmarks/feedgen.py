"""Deterministic, realistic news feeds for the refresh benchmark.

``FeedSet(n, seed)`` describes ``n`` feeds: each has a format (RSS 2.0, Atom
1.0, RSS 1.0/RDF or JSON Feed 1.1), a target size (log-normal, median ~75 KB,
clipped to 20-200 KB) and a number of entries (10-30). ``render(i, generation)``
returns feed ``i``'s document: at generation ``g`` it holds articles
``g .. g+k-1``, newest first, so each generation adds exactly one new entry and
drops the oldest (as a real feed's window slides). Article bodies are news-like
HTML: paragraphs with inline links, figures with images, lists, block quotes,
and the occasional embed or script a sanitizer must deal with.

Everything is a pure function of ``(seed, i, article number)``.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

FORMATS = ("rss20", "rss20", "rss20", "rss20", "atom10", "atom10", "atom10", "rdf", "json", "json")
CONTENT_TYPES = {
    "rss20": "application/rss+xml; charset=utf-8",
    "atom10": "application/atom+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
EXTENSIONS = {"rss20": "xml", "atom10": "atom", "rdf": "rdf", "json": "json"}
MEDIAN_BYTES = 78_000
MIN_BYTES, MAX_BYTES = 21_000, 196_000
SIGMA = 0.55
_SCALE = {"rss20": 0.97, "atom10": 0.85, "rdf": 0.97, "json": 0.9}  # markup overhead
EPOCH = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # article 0 of every feed is older than this

_WORDS = [
    "government",
    "minister",
    "election",
    "council",
    "report",
    "economy",
    "market",
    "energy",
    "climate",
    "city",
    "police",
    "court",
    "health",
    "school",
    "university",
    "research",
    "study",
    "data",
    "policy",
    "budget",
    "tax",
    "trade",
    "border",
    "security",
    "talks",
    "agreement",
    "crisis",
    "storm",
    "flood",
    "season",
    "league",
    "match",
    "team",
    "coach",
    "player",
    "record",
    "growth",
    "inflation",
    "rate",
    "bank",
    "prices",
    "workers",
    "union",
    "strike",
    "transport",
    "rail",
    "airport",
    "housing",
    "rent",
    "water",
    "power",
    "grid",
    "company",
    "shares",
    "profit",
    "investors",
    "technology",
    "software",
    "startup",
    "privacy",
    "regulators",
    "museum",
    "festival",
    "film",
    "music",
    "author",
    "book",
    "culture",
    "science",
    "space",
    "mission",
    "satellite",
    "ocean",
    "forest",
    "wildlife",
    "farmers",
    "harvest",
    "drought",
    "summit",
    "leaders",
    "officials",
    "spokesperson",
    "statement",
    "interview",
    "survey",
    "analysis",
    "evidence",
    "witness",
    "hospital",
    "patients",
    "doctors",
    "vaccine",
    "trial",
    "results",
    "village",
    "region",
    "province",
    "capital",
    "morning",
    "evening",
    "week",
    "month",
    "year",
    "decade",
    "history",
    "future",
    "plan",
    "proposal",
    "vote",
    "law",
    "bill",
]
_VERBS = [
    "said",
    "announced",
    "reported",
    "warned",
    "confirmed",
    "denied",
    "revealed",
    "argued",
    "expected",
    "approved",
    "rejected",
    "proposed",
    "launched",
    "reached",
    "signed",
    "raised",
    "cut",
    "opened",
    "closed",
    "won",
    "lost",
    "faced",
]
_TAGS = ("World", "Politics", "Business", "Science", "Sport", "Culture", "Technology", "Health")


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 20))
    words.insert(rng.randint(1, len(words) - 1), rng.choice(_VERBS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


@dataclass(frozen=True, slots=True)
class FeedSpec:
    index: int
    format: str
    target_bytes: int
    entries: int
    site: str  # https://siteN.example/


class FeedSet:
    """``n`` feed specs and their documents at any generation."""

    def __init__(self, n: int, seed: int = 1) -> None:
        self.n = n
        self.seed = seed
        rng = random.Random(seed)
        self._sentences = [_sentence(rng) for _ in range(4000)]
        self.specs = [self._spec(i, rng) for i in range(n)]

    def _spec(self, i: int, rng: random.Random) -> FeedSpec:
        size = MEDIAN_BYTES * math.exp(rng.gauss(0.0, SIGMA))
        return FeedSpec(
            index=i,
            format=FORMATS[rng.randrange(len(FORMATS))],
            target_bytes=int(min(MAX_BYTES, max(MIN_BYTES, size))),
            entries=rng.randint(10, 30),
            site=f"https://site{i}.example/",
        )

    def path(self, i: int) -> str:
        return f"/feeds/{i}.{EXTENSIONS[self.specs[i].format]}"

    def entry_count(self, generation: int) -> int:
        """Distinct entries a reader has stored after seeing generations 0..``generation``."""
        return sum(s.entries for s in self.specs) + self.n * generation

    def published(self, spec: FeedSpec, number: int) -> datetime:
        """Article ``number``: a few hours apart; generation g's newest is g minutes past EPOCH."""
        if number < spec.entries:
            return EPOCH - timedelta(hours=3 * (spec.entries - number), minutes=spec.index % 60)
        return EPOCH + timedelta(minutes=number - spec.entries + 1)

    def render(self, i: int, generation: int) -> bytes:
        spec = self.specs[i]
        numbers = range(generation + spec.entries - 1, generation - 1, -1)  # newest first
        per_entry = max(500, int(spec.target_bytes / spec.entries * _SCALE[spec.format]) - 900)
        articles = [self._article(spec, n, per_entry) for n in numbers]
        return _RENDERERS[spec.format](spec, articles, self.published(spec, numbers[0]))

    def _article(self, spec: FeedSpec, number: int, size: int) -> Article:
        rng = random.Random(f"{self.seed}/{spec.index}/{number}")
        title = _sentence(rng).rstrip(".?!")[:90]
        link = f"{spec.site}{2026}/{number:05d}/{'-'.join(title.lower().split()[:6])}"
        return Article(
            guid=f"{spec.site}a/{number}",
            title=title,
            link=link,
            author=f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}",
            published=self.published(spec, number),
            summary=" ".join(rng.choices(self._sentences, k=2)),
            html=self._body(rng, spec.site, size),
            tags=tuple(rng.sample(_TAGS, rng.randint(1, 3))),
        )

    def _body(self, rng: random.Random, site: str, size: int) -> str:
        parts: list[str] = []
        total = 0
        while total < size:
            block = self._block(rng, site)
            parts.append(block)
            total += len(block)
        return "\n".join(parts)

    def _block(self, rng: random.Random, site: str) -> str:
        kind = rng.random()
        text = " ".join(rng.choices(self._sentences, k=rng.randint(2, 6)))
        if kind < 0.62:
            words = text.split(" ")
            at = rng.randrange(len(words))
            href = f"{site}topic/{words[at].strip('.?!').lower()}"
            words[at] = f'<a href="{href}" title="More">{words[at]}</a>'
            if rng.random() < 0.3:
                at = rng.randrange(len(words))
                words[at] = f"<strong>{words[at]}</strong>"
            return "<p>" + " ".join(words) + "</p>"
        if kind < 0.76:
            n = rng.randrange(10**6)
            return (
                f'<figure><img src="{site}img/{n}.jpg" alt="{text[:40]}" width="800" height="450" '
                f'loading="lazy" srcset="{site}img/{n}-400.jpg 400w, {site}img/{n}.jpg 800w">'
                f"<figcaption>{text[:120]}</figcaption></figure>"
            )
        if kind < 0.84:
            items = "".join(f"<li>{s}</li>" for s in rng.choices(self._sentences, k=3))
            return f"<ul>{items}</ul>"
        if kind < 0.90:
            return (
                f"<blockquote><p>{text}</p><cite>{rng.choice(_WORDS).title()}</cite></blockquote>"
            )
        if kind < 0.94:
            return f"<h3>{text[:60]}</h3>"
        if kind < 0.97:
            return (
                f'<p class="related" style="color: #555">Read also: <a href="/related/{rng.randrange(10**6)}">'
                f"{text[:70]}</a></p>"
            )
        if kind < 0.99:
            return (
                '<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/'
                f'{rng.randrange(10**9):x}" allowfullscreen></iframe>'
            )
        return (
            f'<script>track("{rng.randrange(10**9)}")</script><div onclick="x()">{text[:80]}</div>'
        )


@dataclass(frozen=True, slots=True)
class Article:
    guid: str
    title: str
    link: str
    author: str
    published: datetime
    summary: str
    html: str
    tags: tuple[str, ...]


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss20(spec: FeedSpec, articles: list[Article], updated: datetime) -> bytes:
    items = "".join(
        f"""<item><title>{escape(a.title)}</title><link>{escape(a.link)}</link>
<guid isPermaLink="false">{escape(a.guid)}</guid><pubDate>{format_datetime(a.published)}</pubDate>
<dc:creator>{escape(a.author)}</dc:creator>{"".join(f"<category>{t}</category>" for t in a.tags)}
<description>{escape(a.summary)}</description>
<content:encoded><![CDATA[{a.html}]]></content:encoded></item>
"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Site {spec.index} News</title><link>{spec.site}</link>
<description>The latest from site {spec.index}</description><language>en</language>
<lastBuildDate>{format_datetime(updated)}</lastBuildDate><ttl>15</ttl>
{items}</channel></rss>""".encode()


def _atom10(spec: FeedSpec, articles: list[Article], updated: datetime) -> bytes:
    entries = "".join(
        f"""<entry><id>{escape(a.guid)}</id><title type="text">{escape(a.title)}</title>
<link rel="alternate" type="text/html" href={quoteattr(a.link)}/>
<published>{_iso(a.published)}</published><updated>{_iso(a.published)}</updated>
<author><name>{escape(a.author)}</name></author>{"".join(f'<category term="{t}"/>' for t in a.tags)}
<summary type="text">{escape(a.summary)}</summary>
<content type="html">{escape(a.html)}</content></entry>
"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Site {spec.index} Journal</title>
<id>{spec.site}atom</id><updated>{_iso(updated)}</updated>
<link rel="alternate" type="text/html" href="{spec.site}"/><link rel="self" href="{spec.site}feed.atom"/>
{entries}</feed>""".encode()


def _rdf(spec: FeedSpec, articles: list[Article], updated: datetime) -> bytes:
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(a.guid)}/>" for a in articles)
    items = "".join(
        f"""<item rdf:about={quoteattr(a.guid)}><title>{escape(a.title)}</title>
<link>{escape(a.link)}</link><dc:date>{_iso(a.published)}</dc:date><dc:creator>{escape(a.author)}</dc:creator>
<description>{escape(a.summary)}</description>
<content:encoded><![CDATA[{a.html}]]></content:encoded></item>
"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel rdf:about="{spec.site}rdf"><title>Site {spec.index} Digest</title><link>{spec.site}</link>
<description>Digest of site {spec.index}</description><dc:date>{_iso(updated)}</dc:date>
<items><rdf:Seq>{seq}</rdf:Seq></items></channel>
{items}</rdf:RDF>""".encode()


def _json(spec: FeedSpec, articles: list[Article], updated: datetime) -> bytes:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Site {spec.index} Daily",
        "home_page_url": spec.site,
        "feed_url": f"{spec.site}feed.json",
        "language": "en",
        "items": [
            {
                "id": a.guid,
                "url": a.link,
                "title": a.title,
                "summary": a.summary,
                "content_html": a.html,
                "date_published": _iso(a.published),
                "authors": [{"name": a.author}],
                "tags": list(a.tags),
            }
            for a in articles
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


_RENDERERS = {"rss20": _rss20, "atom10": _atom10, "rdf": _rdf, "json": _json}
