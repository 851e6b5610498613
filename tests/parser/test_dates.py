"""parse_date over the formats feeds really use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tidings.parser.dates import parse_date

D = datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2003-12-31T10:14:55Z",
        "2003-12-31T10:14:55+00:00",
        "2003-12-31T05:14:55-05:00",
        "2003-12-31T10:14:55.000Z",
        "2003-12-31 10:14:55Z",
        "20031231T101455Z",
        "2003-12-31T11:14:55+0100",
        "Wed, 31 Dec 2003 10:14:55 GMT",
        "Wed, 31 Dec 2003 10:14:55 +0000",
        "Wed, 31 Dec 2003 05:14:55 EST",
        "Wed, 31 Dec 2003 02:14:55 PST",
        "Wed, 31 Dec 2003 03:14:55 PDT",
        "31 Dec 2003 10:14:55 UT",
        "Wed, 31 Dec 03 10:14:55 GMT",
        "Wednesday, 31-Dec-03 10:14:55 GMT",
        "Wed, 31 December 2003 10:14:55 Z",
        "Wed,31 Dec 2003 10:14:55 GMT",
        "Wed, 31 Dec 2003 10:14:55 +0000 (UTC)",
        "Wed Dec 31 10:14:55 2003",
        "Wed Dec 31 02:14:55 PST 2003",
        "December 31, 2003 10:14:55 AM",
        "Wed, 31 Dec 2003 10:14:55 GMT+00:00",
    ],
)
def test_formats(text: str) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2003-12-31", datetime(2003, 12, 31, tzinfo=UTC)),
        ("2003-12", datetime(2003, 12, 1, tzinfo=UTC)),
        ("Thu, 01 Jan 70 00:00:00 GMT", datetime(1970, 1, 1, tzinfo=UTC)),
        ("Sat, 01 Jan 49 00:00:00 GMT", datetime(2049, 1, 1, tzinfo=UTC)),
        ("Fri, 31 Dec 1999 24:00:00 GMT", datetime(2000, 1, 1, tzinfo=UTC)),
        ("Fri, 31 Dec 1999 23:59:60 GMT", datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_edges(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "garbage",
        "yesterday",
        "2003-13-45",
        "Wed, 32 Dec 2003 10:14:55 GMT",
        "Wed, 31 Foo 2003 10:14:55 GMT",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "x" * 1000,
    ],
)
def test_garbage_is_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_results_are_aware_utc() -> None:
    parsed = parse_date("2003-12-31T10:14:55")
    assert parsed is not None and parsed.tzinfo is UTC
