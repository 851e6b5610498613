"""The dedupe set: feeds carrying the same stories under different URLs, titles and wrappers.

Built deterministically from ../shared/corpus:

- ``articles/ground-truth.json``: 181 full article texts. Each is published by
  an "origin" feed; most are syndicated too, by wire feeds that change what
  syndicators change: the URL (another host, a slug, tracking parameters, an
  AMP or mobile URL of the same page), the headline, wrappers (share lines,
  "Read more", "Source link", newsletter boxes, agency credits, "originally
  appeared on" notes), an editor's note on top, the last paragraphs trimmed,
  or a few words edited.
- ``feeds-history``: the BBC, NYT, Daily Mail and LA Times teasers of six
  snapshots (distinct stories, many on the same topics: the hard negatives);
  a third of them are re-published by an aggregator feed under its own URL and
  headline, with "Read more" and share wrappers.

Every item carries the id of the story it tells; two items are duplicates
exactly when their story ids are equal.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tidings.parser import parse_feed

WIRES = ("wire-one.example", "newsdesk.example", "daily-digest.example", "aggregator.example")
CREDITS = (
    "Reporting by Staff Writers; editing by the Desk",
    "© 2019 The Associated Wire. All rights reserved.",
    "This article originally appeared on The Origin Post.",
)
EDITS = ("reportedly", "officials", "notably", "however", "meanwhile", "indeed", "recently")


@dataclass(frozen=True)
class Item:
    """One entry of one feed in the dedupe set."""

    feed: str
    guid: str
    title: str
    link: str
    content: str  # HTML
    story: str  # ground truth: items with the same story are copies


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n") if p.strip()]


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "story"


def _edit_words(paragraphs: list[str], rng: random.Random) -> list[str]:
    out = []
    for p in paragraphs:
        words = p.split(" ")
        for i in range(len(words)):
            if rng.random() < 0.02:
                words[i] = rng.choice(EDITS)
        out.append(" ".join(words))
    return out


def _wrap(paragraphs: list[str], rng: random.Random, link: str) -> str:
    """Syndication wrappers: share lines, read more, newsletter box, credits."""
    body = _html(paragraphs)
    if rng.random() < 0.7:
        body += "<p>You can share this story on social media:</p>"
        body += '<p><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></p>'
    if rng.random() < 0.5:
        body += f'<p><a href="{escape(link)}">Read more</a></p>'
    if rng.random() < 0.4:
        body += (
            "<div><h3>Newsletter</h3><p>Sign up for our newsletter and get the "
            "headlines in your inbox every morning.</p></div>"
        )
    if rng.random() < 0.5:
        body += f"<p>{escape(rng.choice(CREDITS))}</p>"
    if rng.random() < 0.5:
        body += "<p>Source link</p>"
    return body


def _article_items(corpus: Path, rng: random.Random) -> list[Item]:
    truth = json.loads((corpus / "articles" / "ground-truth.json").read_text("utf-8"))
    items = []
    for n, key in enumerate(sorted(truth)):
        paras = _paragraphs(truth[key]["articleBody"])
        if not paras:
            continue
        url = truth[key]["url"]
        title = " ".join(paras[0].split()[:9])
        story = f"article:{key[:12]}"
        items.append(Item("origin", key, title, url, _html(paras), story))
        copies = n % 4  # 0..3 syndicated copies
        for c in range(copies):
            kind = (n + c) % 4
            wire = WIRES[(n + c) % len(WIRES)]
            link = f"https://{wire}/{_slug(title)}-{hashlib.md5(key.encode()).hexdigest()[:6]}"
            body = paras
            head = f"{title} | {wire.split('.')[0].title()}"
            if kind == 1 and len(paras) >= 5:
                body = ["(Editor's note: this story has been updated.)", *paras[:-2]]
            elif kind == 2:
                body = _edit_words(paras, rng)
                head = title.upper()
            elif kind == 3:  # the origin's own page, linked as AMP/mobile with tracking
                link = re.sub(r"^https?://(www\.)?", "https://m.", url.rstrip("/")) + "/amp"
                link += "?utm_source=twitter&utm_medium=social"
                body = paras[:1]
            items.append(Item(wire, f"{key}-{c}", head, link, _wrap(body, rng, link), story))
    return items


def _history_items(corpus: Path, rng: random.Random) -> list[Item]:
    seen: set[tuple[str, str]] = set()
    items = []
    for folder in sorted((corpus / "feeds-history").iterdir()):
        for path in sorted(folder.glob("*.xml")):
            try:
                feed = parse_feed(path.read_bytes(), url=f"https://{folder.name}.example/rss")
            except ValueError:
                continue
            for e in feed.entries:
                text = e.summary or e.content or ""
                if (folder.name, e.id) in seen or not text.strip():
                    continue
                seen.add((folder.name, e.id))
                story = f"{folder.name}:{e.id}"
                title = e.title or ""
                items.append(Item(folder.name, e.id, title, e.link or "", text, story))
                if rng.random() < 1 / 3:
                    link = f"https://aggregator.example/{folder.name}/{len(items)}"
                    wrapped = f"<div>{text}</div>" + _wrap([], rng, link)
                    items.append(
                        Item(
                            "aggregator",
                            link,
                            f"{folder.name.upper()}: {title}",
                            link,
                            wrapped,
                            story,
                        )
                    )
    return items


def build(corpus: Path, seed: int = 5) -> list[Item]:
    """The whole set, in a fixed order (origins before their copies)."""
    rng = random.Random(seed)
    return _article_items(corpus, rng) + _history_items(corpus, rng)


def pairs_by_story(labels: list[str]) -> set[tuple[int, int]]:
    """Index pairs (i < j) with equal labels."""
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    return {(a, b) for g in groups.values() for x, a in enumerate(g) for b in g[x + 1 :]}


def precision_recall(truth: list[str], predicted: list[str]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of a grouping, and the pair counts (true, predicted)."""
    want, got = pairs_by_story(truth), pairs_by_story(predicted)
    hit = len(want & got)
    precision = hit / len(got) if got else 1.0
    recall = hit / len(want) if want else 1.0
    return precision, recall, len(want), len(got)


def cluster_with_store(items: list[Item], db: Path) -> list[str]:
    """Push every item through the real story step and SQLite store; its cluster ids.

    Each item is one refresh of its feed (in order), so copies meet as they
    would in production: the store clusters each new entry on arrival.
    """
    from datetime import UTC, datetime, timedelta

    from tidings.adapters.store.sqlite import SqliteStore
    from tidings.content.sanitize import sanitize_html
    from tidings.content.story import FeedInfo, build_update
    from tidings.model import EntryData, EntryUpdate, FeedUpdate, FullTextMode

    store = SqliteStore(str(db))
    try:
        user = store.ensure_user("dedupe")
        now = datetime(2026, 11, 20, tzinfo=UTC)
        feed_ids = {}
        for name in dict.fromkeys(i.feed for i in items):
            state = store.add_feed(
                user, f"https://{name}.feeds.example/rss", category=None, now=now
            )
            feed_ids[name] = state.id
        for item in items:
            feed_id = feed_ids[item.feed]
            data = EntryData(
                id=item.guid,
                title=item.title,
                link=item.link or None,
                content=sanitize_html(item.content),
            )
            info = FeedInfo(id=feed_id, mode=FullTextMode.NEVER)
            update = build_update(EntryUpdate(data, "h", is_new=True), info, None, ())
            store.apply_refresh(
                FeedUpdate(feed_id=feed_id, fetched_at=now, next_check_at=now + timedelta(hours=1)),
                [update],
            )
        rows = store._read("SELECT feed_id, guid, cluster_id FROM entries")
        found = {(r[0], r[1]): str(r[2]) for r in rows}
    finally:
        store.close()
    return [found[(feed_ids[i.feed], i.guid)] for i in items]
