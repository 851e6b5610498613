"""The copy's per-table checksum (#13): the same rows in any order give the same
sum; a changed value, a changed type or a missing duplicate does not."""

from __future__ import annotations

from typing import Any

from tidings.adapters.store.transfer import Tally

ROWS: list[tuple[Any, ...]] = [
    (1, "ana", None, 0.5, b"\x00\xff"),
    (2, "bob", "x", 0.0, None),
    (2, "bob", "x", 0.0, None),  # story_keys may hold equal rows
]


def _sum(*batches: list[tuple[Any, ...]]) -> tuple[int, str]:
    tally = Tally()
    for batch in batches:
        tally.add(batch)
    return tally.rows, tally.checksum


def test_the_order_and_the_batches_do_not_matter() -> None:
    assert _sum(ROWS) == _sum(ROWS[::-1]) == _sum(ROWS[:1], ROWS[1:])
    assert _sum([(1, "a", memoryview(b"z"))]) == _sum([(1, "a", b"z")])
    assert _sum([(True, 1)]) == _sum([(1, 1)])


def test_any_difference_shows() -> None:
    base = _sum(ROWS)
    assert _sum(ROWS[:2]) != base  # a duplicate lost
    for changed in ((1, "ana", None, 0.5, b"\x00\xfe"), (1, "ana", "", 0.5, b"\x00\xff"),
                    ("1", "ana", None, 0.5, b"\x00\xff"), (1, "ana", None, 1, b"\x00\xff")):  # fmt: skip
        assert _sum([changed, *ROWS[1:]]) != base
    assert _sum([]) == (0, "0" * 32)
