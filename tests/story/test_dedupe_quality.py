"""Duplicate grouping quality on the dedupe set (benchmarks/dedupe.py prints the details)."""

from __future__ import annotations

from pathlib import Path

from conftest import corpus_path

from story.dedupe_set import build, cluster_with_store, precision_recall


def test_grouping_precision_and_recall(tmp_path: Path) -> None:
    corpus = corpus_path()
    corpus_path("articles", "ground-truth.json")
    corpus_path("feeds-history")
    items = build(corpus)
    assert len(items) > 1000 and len({i.feed for i in items}) >= 8
    predicted = cluster_with_store(items, tmp_path / "dedupe.db")
    precision, recall, true_pairs, _ = precision_recall([i.story for i in items], predicted)
    assert true_pairs > 500
    assert precision >= 0.98, precision
    assert recall >= 0.9, recall
