"""One story once: which stored story a new copy belongs to.

Two entries are copies of one story when they come from different feeds and
have the same canonical URL, or the same normalized text (long enough), or the
same first ``LEAD_WORDS`` words, or MinHash signatures that estimate a Jaccard
similarity of at least ``MIN_JACCARD``. A new copy joins the cluster of its
closest match; clusters are never merged, so one loose match cannot chain two
stories together. The representative is the copy with the most words (full
text beats a teaser), then the oldest.

Entries of the same feed never match: a feed that links every item to its
home page, or repeats a sponsor blurb, is not one story.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tidings.content.fingerprint import MIN_JACCARD, band_keys, jaccard, key_of

__all__ = [
    "KeyHit",
    "StoryPrint",
    "choose_cluster",
    "comparable",
    "match_distance",
    "print_keys",
    "story_keys",
]


@dataclass(frozen=True, slots=True)
class StoryPrint:
    """What clustering compares about one stored or new entry."""

    entry_id: int
    feed_id: int
    cluster_id: int | None
    canonical_url: str | None
    text_key: str | None = None
    lead_key: str | None = None
    minhash: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class KeyHit:
    """A stored entry found under one of a new entry's index keys."""

    key: int
    entry_id: int
    feed_id: int
    cluster_id: int | None
    minhash: tuple[int, ...] | None


def print_keys(p: StoryPrint) -> list[int]:
    """Index keys under which ``p`` can be found by its copies."""
    return list(story_keys(p.canonical_url, p.text_key, p.lead_key, p.minhash))


def story_keys(
    canonical_url: str | None,
    text_key: str | None,
    lead_key: str | None,
    minhash: Sequence[int] | None,
) -> tuple[int, ...]:
    """``print_keys`` of a story's parts (the story step computes them in a worker)."""
    keys = []
    if canonical_url:
        keys.append(key_of("u", canonical_url))
    if text_key:
        keys.append(key_of("t", text_key))
    if lead_key:
        keys.append(key_of("l", lead_key))
    if minhash is not None:
        keys.extend(key_of("m", band) for band in band_keys(minhash))
    return tuple(keys)


def match_distance(new: StoryPrint, old: StoryPrint) -> float | None:
    """0 for the same URL or text, 0.1 for the same lead, 1 - Jaccard for a near
    copy; None when they are different stories."""
    if new.feed_id == old.feed_id or new.entry_id == old.entry_id:
        return None
    if new.canonical_url and new.canonical_url == old.canonical_url:
        return 0.0
    if new.text_key and new.text_key == old.text_key:
        return 0.0
    if new.lead_key and new.lead_key == old.lead_key:
        return 0.1
    if new.minhash is None or old.minhash is None:
        return None
    similarity = jaccard(new.minhash, old.minhash)
    return 1.0 - similarity if similarity >= MIN_JACCARD else None


def choose_cluster(new: StoryPrint, candidates: Iterable[StoryPrint]) -> int | None:
    """The cluster ``new`` joins (its closest match's), or None for a new story."""
    best: tuple[float, int, int] | None = None
    for old in candidates:
        distance = match_distance(new, old)
        if distance is None:
            continue
        cluster = old.cluster_id if old.cluster_id is not None else old.entry_id
        rank = (distance, old.entry_id, cluster)
        if best is None or rank < best:
            best = rank
    return None if best is None else best[2]


def comparable(me: StoryPrint, hits: Sequence[KeyHit]) -> tuple[StoryPrint, list[StoryPrint]]:
    """``me`` and the stored prints found under its keys, as far as they may be compared.

    A shared URL, text or lead key means an equal URL, text or lead (the keys are
    digests of them), unless the key repeats within one feed: a feed that gives
    every item the same link, blurb or opening ("Good morning. Here is what you
    need to know today ...") is repeating itself, not reporting one story.
    """
    exact = {key_of(kind, value): kind for kind, value in _exact_keys(me)}
    per_feed = Counter((h.key, h.feed_id) for h in hits if h.key in exact)
    mine = {key for key in exact if per_feed[(key, me.feed_id)] >= 1}
    found: dict[int, KeyHit] = {}
    shared: dict[int, set[str]] = {}
    for h in hits:
        found.setdefault(h.entry_id, h)
        if h.key in exact and h.key not in mine and per_feed[(h.key, h.feed_id)] < 2:
            shared.setdefault(h.entry_id, set()).add(exact[h.key])
    usable = {exact[k] for k in exact if k not in mine}
    me = StoryPrint(
        me.entry_id,
        me.feed_id,
        None,
        me.canonical_url if "u" in usable else None,
        me.text_key if "t" in usable else None,
        me.lead_key if "l" in usable else None,
        me.minhash,
    )
    others = [
        StoryPrint(
            entry_id,
            h.feed_id,
            h.cluster_id,
            me.canonical_url if "u" in shared.get(entry_id, ()) else None,
            me.text_key if "t" in shared.get(entry_id, ()) else None,
            me.lead_key if "l" in shared.get(entry_id, ()) else None,
            h.minhash,
        )
        for entry_id, h in found.items()
    ]
    return me, others


def _exact_keys(p: StoryPrint) -> list[tuple[str, str]]:
    pairs = [("u", p.canonical_url), ("t", p.text_key), ("l", p.lead_key)]
    return [(kind, value) for kind, value in pairs if value]
