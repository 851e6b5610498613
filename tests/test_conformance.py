"""Tidings' parser against feedparser's own test cases (see tests/parser/conformance_eval.py).

The pass rate per folder must stay at or above the floor recorded in
tests/parser/conformance_floor.json; docs/conformance.md lists and explains
the failures. Regenerate both with
``.venv/bin/python tests/parser/conformance_eval.py --write``.
"""

from __future__ import annotations

import json

import pytest
from parser import conformance_eval as ce
from parser.conformance_reasons import reason


def test_conformance_floors() -> None:
    if not ce.CORPUS.exists():
        pytest.skip(f"corpus not found: {ce.CORPUS} (needs ../shared beside the repository)")
    floors: dict[str, float] = json.loads(ce.FLOOR_FILE.read_text())
    counts = ce.run_all()
    print("\n" + ce.table(counts))
    below = {
        folder: f"{ce.rate(counts.get(folder, ce.Counter())):.3f} < {floor}"
        for folder, floor in floors.items()
        if ce.rate(counts.get(folder, ce.Counter())) < floor
    }
    assert not below, f"conformance fell below the recorded floor: {below}"
    unexplained = [
        f"{folder}/{name}"
        for folder, name, _, _ in ce.run_all.failures  # type: ignore[attr-defined]
        if reason(folder, name) == "unexplained"
    ]
    assert not unexplained, f"failures without a reason in conformance_reasons.py: {unexplained}"
    assert set(counts) >= set(floors), "a folder of the corpus disappeared"
