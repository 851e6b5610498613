"""Story dedupe: choose the near-duplicate threshold by measurement, then score the grouping.

The dedupe set (tests/story/dedupe_set.py, built from ../shared/corpus) holds
feeds that carry the same stories under different URLs, titles and wrappers.

1. Threshold sweep: every pair of items from different feeds whose texts are
   long enough (``MIN_NEAR_WORDS``): how duplicates and other pairs spread over
   the MinHash Jaccard estimate, and, for comparison, over the Hamming
   distance of a 64-bit SimHash of the same 3-shingles (the alternative the
   issue names); pairwise precision/recall of each rule alone.
2. End to end: every item through the story step and the SQLite store (the
   code that runs in production: URL, text, lead and MinHash keys), pairwise
   precision and recall of the clusters it made.
3. Real feeds: the 338 feeds of feeds-real plus feeds-history (no ground
   truth), every cross-feed pair the rules would group, by the rule that
   fires; the matches no URL or full-text key explains are printed to be
   checked by eye (false positives would show up here).

Usage: .venv/bin/python benchmarks/dedupe.py
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests" / "story")]

from dedupe_set import Item, build, cluster_with_store, precision_recall  # noqa: E402

from tidings.content import fingerprint  # noqa: E402
from tidings.content.cluster import StoryPrint, match_distance, print_keys  # noqa: E402
from tidings.content.clutter import clean_html  # noqa: E402
from tidings.content.sanitize import sanitize_html  # noqa: E402
from tidings.content.text import html_to_text  # noqa: E402
from tidings.content.words import tokens  # noqa: E402
from tidings.parser import parse_feed  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"


def simhash(words: list[str]) -> int:
    """Charikar's 64-bit SimHash of the 3-shingles (for comparison only)."""
    rows = [
        format(int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "big"), "064b")
        for f in {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    ]
    half = len(rows) / 2
    return int("".join("1" if c.count("1") > half else "0" for c in zip(*rows, strict=True)), 2)


def _table(
    name: str, same: Counter[float], other: Counter[float], rules: list[float], at_most: bool
) -> None:
    total = sum(same.values())
    print(f"{name}: {total} duplicate pairs, {sum(other.values())} other pairs")
    print("   rule        dup pairs   other pairs   precision   recall")
    for t in rules:
        ok = (lambda v, t=t: v <= t) if at_most else (lambda v, t=t: v >= t)
        tp = sum(n for v, n in same.items() if ok(v))
        fp = sum(n for v, n in other.items() if ok(v))
        p = tp / (tp + fp) if tp + fp else 1.0
        rule = f"{'<=' if at_most else '>='} {t:g}"
        print(f"   {rule:<10} {tp:10} {fp:13}   {p:9.4f}   {tp / total:6.4f}")
    closest = max(other) if not at_most else min(other)
    print(f"   closest other pair: {closest:g}")


def sweep(items: list[Item]) -> None:
    prints = []
    for item in items:
        words = tokens(html_to_text(clean_html(sanitize_html(item.content))))
        signature = fingerprint.minhash(words)
        if signature is not None:
            prints.append((item.story, item.feed, signature, simhash(words)))
    same_j: Counter[float] = Counter()
    other_j: Counter[float] = Counter()
    same_h: Counter[float] = Counter()
    other_h: Counter[float] = Counter()
    for x, (story_a, feed_a, sig_a, sim_a) in enumerate(prints):
        for story_b, feed_b, sig_b, sim_b in prints[x + 1 :]:
            if feed_a == feed_b:
                continue
            dup = story_a == story_b
            (same_j if dup else other_j)[round(fingerprint.jaccard(sig_a, sig_b), 2)] += 1
            (same_h if dup else other_h)[(sim_a ^ sim_b).bit_count()] += 1
    print(f"{len(prints)} items with at least {fingerprint.MIN_NEAR_WORDS} words")
    _table("MinHash Jaccard estimate", same_j, other_j, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], False)
    _table("SimHash Hamming distance", same_h, other_h, [3, 6, 9, 12, 15], True)


def real_feeds() -> None:
    prints: list[tuple[StoryPrint, str]] = []
    paths = sorted((CORPUS / "feeds-real").glob("*.*")) + sorted(
        (CORPUS / "feeds-history").glob("*/*.xml")
    )
    seen = set()
    for feed_no, path in enumerate(p for p in paths if p.suffix != ".tsv"):
        try:
            feed = parse_feed(path.read_bytes(), url="https://feed.example/")
        except ValueError:
            continue
        source = path.parent.name if path.parent.name != "feeds-real" else path.name
        for e in feed.entries:
            if (source, e.id) in seen:
                continue
            seen.add((source, e.id))
            words = tokens(html_to_text(clean_html(e.content or e.summary)))
            sp = StoryPrint(
                len(prints),
                hash(source),
                None,
                fingerprint.canonical_url(e.link),
                fingerprint.text_key(words),
                fingerprint.lead_key(words),
                fingerprint.minhash(words),
            )
            prints.append((sp, f"{source[:38]}: {(e.title or '')[:40]}"))
        del feed_no
    index: dict[int, list[int]] = {}
    for i, (sp, _) in enumerate(prints):
        for key in print_keys(sp):
            index.setdefault(key, []).append(i)
    kinds: Counter[str] = Counter()
    shown = []
    pairs = {(a, b) for ids in index.values() for a in ids for b in ids if a < b}
    for a, b in sorted(pairs):
        pa, pb = prints[a][0], prints[b][0]
        if match_distance(pb, pa) is None:
            continue
        if pa.canonical_url and pa.canonical_url == pb.canonical_url:
            kinds["same URL"] += 1
        elif pa.text_key and pa.text_key == pb.text_key:
            kinds["same text"] += 1
        else:
            kind = "same lead" if pa.lead_key and pa.lead_key == pb.lead_key else "MinHash"
            kinds[kind] += 1
            shown.append(f"   {kind:9} {prints[a][1]}  ~  {prints[b][1]}")
    print(
        f"real feeds: {len(prints)} entries, {len(pairs)} candidate pairs; cross-feed "
        f"matches: " + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    )
    print("\n".join(shown))


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")
    items = build(CORPUS)
    print(
        f"dedupe set: {len(items)} items, {len({i.story for i in items})} stories, "
        f"{len({i.feed for i in items})} feeds"
    )
    sweep(items)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        predicted = cluster_with_store(items, Path(tmp) / "dedupe.db")
        elapsed = time.perf_counter() - started
    precision, recall, true_pairs, got_pairs = precision_recall([i.story for i in items], predicted)
    print(
        f"end to end (story step + SQLite store, {elapsed:.1f} s): "
        f"precision {precision:.4f}, recall {recall:.4f} "
        f"({true_pairs} duplicate pairs, {got_pairs} grouped pairs)"
    )
    real_feeds()


if __name__ == "__main__":
    main()
