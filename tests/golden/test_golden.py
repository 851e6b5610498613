"""Golden files: parse_feed on small hand-written feeds, compared with reviewed expectations.

Each case of ``cases.json`` names a document in this directory, the URL it is parsed
as and an optional HTTP Content-Type. ``<name>.expected.json`` is the canonical view
of the ``FeedData`` that ``parse_feed`` returns (see :func:`canonical`).

``TIDINGS_REGOLD=1 pytest tests/golden`` rewrites the expectations that differ and
fails those cases, so that a regeneration is never mistaken for a pass: review the
``git diff`` of the rewritten files, then run the tests again. See README.md.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tidings.parser import parse_feed

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "cases.json"
REGOLD = os.environ.get("TIDINGS_REGOLD", "") not in ("", "0")


def _load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return cases


CASES = _load_cases()


def canonical(value: Any) -> Any:
    """A JSON-ready view of parser output: dataclasses become dicts (field order kept),
    tuples become lists, datetimes ISO 8601 strings (the parser gives aware UTC ones:
    a naive datetime would show as a string without an offset)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [canonical(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


# Invisible characters (controls, C1, format characters, odd spaces) are written as
# \uXXXX escapes, so that a reviewer sees them in the expected files.
_INVISIBLE_RE = re.compile(
    r"[^\S \n]|[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ufff9-\ufffb]"
)


def dumps(view: Any) -> str:
    """Stable, readable JSON text: two-space indent, UTF-8, invisible characters escaped."""
    text = json.dumps(view, indent=2, ensure_ascii=False)
    return _INVISIBLE_RE.sub(lambda m: json.dumps(m.group(0)).strip('"'), text) + "\n"


def parse_case(case: dict[str, Any]) -> Any:
    body = (HERE / case["file"]).read_bytes()
    feed = parse_feed(body, url=case["url"], content_type=case.get("content_type"))
    return canonical(feed)


def expected_path(case: dict[str, Any]) -> Path:
    return HERE / f"{case['name']}.expected.json"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden(case: dict[str, Any]) -> None:
    actual = parse_case(case)
    path = expected_path(case)
    expected = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    if actual == expected:
        return
    if REGOLD:
        path.write_text(dumps(actual), encoding="utf-8")
        pytest.fail(f"regenerated {path.name}: review `git diff tests/golden`, then re-run")
    if expected is None:
        pytest.fail(f"{path.name} is missing: run with TIDINGS_REGOLD=1 to create it")
    diff = difflib.unified_diff(
        dumps(expected).splitlines(),
        dumps(actual).splitlines(),
        fromfile=f"{path.name} (expected)",
        tofile="parse_feed (actual)",
        lineterm="",
    )
    pytest.fail(
        f"{case['file']} parsed as {case['url']} differs from {path.name}:\n" + "\n".join(diff),
        pytrace=False,
    )


def test_every_document_has_a_case() -> None:
    """No orphan documents or expectations, no case without its files."""
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names in cases.json"
    documents = {c["file"] for c in CASES}
    expectations = {expected_path(c).name for c in CASES}
    on_disk = {
        p.name
        for p in HERE.iterdir()
        if p.suffix in (".xml", ".json") and p.name != CASES_FILE.name
    }
    assert on_disk - documents - expectations == set(), "files in tests/golden without a case"
    assert documents - on_disk == set(), "cases whose document is missing"


def test_expected_files_are_canonical_text() -> None:
    """Expected files are exactly what the regeneration writes (no hand formatting drift)."""
    for case in CASES:
        path = expected_path(case)
        if path.exists():
            text = path.read_text(encoding="utf-8")
            assert text == dumps(json.loads(text)), f"{path.name}: not in canonical format"
