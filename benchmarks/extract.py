"""Article extraction: Tidings vs trafilatura alone vs readability-lxml, in one run.

Corpus: ../shared/corpus/articles (the ScrapingHub article-extraction-benchmark:
181 gzipped pages + ground-truth.json). Quality is measured the way that
benchmark's evaluate.py does it: per page, TP/FP/FN over 4-token shingles
(tokens are ``\\w+``), normalized per page; precision and recall are the means
over pages and F1 is computed from those means. Speed is pages per second over
the whole corpus, the best of ``--rounds`` rounds, extractors interleaved so
that machine noise hits them alike.

- tidings: ``tidings.content.article.extract_article`` (trafilatura fast mode,
  clutter rules, sanitizer), scored on the text of the HTML it stores;
- trafilatura: ``trafilatura.extract(html, include_comments=False)``, as the
  benchmark's own runner calls it (plain text out);
- readability-lxml: ``Document(html).summary(html_partial=True)``, turned into
  text by the same block-aware converter Tidings uses (the benchmark used
  html-text, which is not installed here).

Usage: .venv/bin/python benchmarks/extract.py [--rounds 3] [--corpus DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import trafilatura  # noqa: E402
from readability import Document  # noqa: E402

from tidings.content.article import extract_article  # noqa: E402
from tidings.content.text import html_to_text  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "articles"
TOKEN = re.compile(r"\w+")
Extractor = Callable[[str, str], str]


def tidings_text(page: str, url: str) -> str:
    article = extract_article(page, url)
    return html_to_text(article.html) if article else ""


def trafilatura_text(page: str, url: str) -> str:
    return trafilatura.extract(page, include_comments=False) or ""


def readability_text(page: str, url: str) -> str:
    return html_to_text(Document(page).summary(html_partial=True))


EXTRACTORS: dict[str, Extractor] = {
    "tidings": tidings_text,
    "trafilatura": trafilatura_text,
    "readability-lxml": readability_text,
}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_scores(truth: str, predicted: str) -> tuple[float, float, float]:
    """Normalized (tp, fp, fn) of one page."""
    want, got = shingles(truth), shingles(predicted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def quality(truth: dict[str, str], outputs: dict[str, str]) -> dict[str, float]:
    scores = [page_scores(truth[k], outputs.get(k, "")) for k in truth]
    p = statistics.mean(precision(*s) for s in scores if s[0] + s[1] > 0)
    r = statistics.mean(recall(*s) for s in scores if s[0] + s[2] > 0)
    return {"f1": 2 * p * r / (p + r), "precision": p, "recall": r}


def load(corpus: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    truth_file = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    pages, truth, urls = {}, {}, {}
    for path in sorted((corpus / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        with gzip.open(path, "rt", encoding="utf-8") as f:
            pages[key] = f.read()
        truth[key] = truth_file[key]["articleBody"]
        urls[key] = truth_file[key]["url"]
    return pages, truth, urls


def run(corpus: Path, rounds: int) -> dict[str, dict[str, float]]:
    pages, truth, urls = load(corpus)
    for name, extract in EXTRACTORS.items():  # warm up: imports, caches
        extract(next(iter(pages.values())), "https://example.com/")
        del name
    best: dict[str, float] = {}
    outputs: dict[str, dict[str, str]] = {}
    for _ in range(rounds):
        for name, extract in EXTRACTORS.items():
            started = time.perf_counter()
            outputs[name] = {k: extract(page, urls[k]) for k, page in pages.items()}
            elapsed = time.perf_counter() - started
            best[name] = max(best.get(name, 0.0), len(pages) / elapsed)
    results = {}
    for name in EXTRACTORS:
        results[name] = {**quality(truth, outputs[name]), "pages_per_s": best[name]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not (args.corpus / "ground-truth.json").exists():
        sys.exit(f"corpus not found: {args.corpus}")
    results = run(args.corpus, args.rounds)
    print(f"{'extractor':<18} {'F1':>6} {'prec':>6} {'recall':>6} {'pages/s':>8}")
    for name, r in results.items():
        print(
            f"{name:<18} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} "
            f"{r['pages_per_s']:8.1f}"
        )
    ours, peer = results["tidings"], results["trafilatura"]
    speed = ours["pages_per_s"] / peer["pages_per_s"]
    done = ours["f1"] >= peer["f1"] and speed >= 0.8
    print(
        f"tidings vs trafilatura: F1 {ours['f1'] - peer['f1']:+.3f}, speed {speed:.0%} "
        f"-> {'done' if done else 'NOT done'} (needs F1 >= and speed >= 80%)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
