"""Integers from the outside world: ids in paths, numbers in form and query fields (#11).

The store keeps signed 64-bit integers, so an id is ``1 .. 2**63 - 1`` written in
plain decimal digits; anything else never reaches the store. Every route reads its
integers here:

* a path id uses the ``{name:id}`` convertor: a bad one is a page that does not
  exist, 404 (``Gate.route`` checks it);
* a form or query field uses ``field_int`` / ``field_ids`` / ``field_cursor``:
  a bad one is the client's mistake, 400 with a message naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException

MAX_INT = 2**63 - 1
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime holds
MIN_EPOCH = -62135596800  # 0001-01-01T00:00:00Z, the first
NO_ID = 0  # what the path convertor gives for a bad id; never a stored id

__all__ = [
    "MAX_INT",
    "NO_ID",
    "IdConvertor",
    "field_cursor",
    "field_ids",
    "field_int",
    "parse_int",
]


def parse_int(text: Any, *, low: int = 1, high: int = MAX_INT) -> int | None:
    """``text`` as an integer in ``low .. high``; None if not a string of digits in range."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    # at most 19 digits: never a 4,300-digit int() (ValueError), never beyond 2**63 - 1
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


class IdConvertor(Convertor[int]):
    """``{name:id}``: matches any digits; a value that is not an id becomes ``NO_ID``."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return parse_int(value) or NO_ID

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def _bad(name: str, expected: str) -> HTTPException:
    return HTTPException(400, f"The field {name!r} must be {expected}.")


def field_int(value: Any, name: str, *, low: int = 1, high: int = MAX_INT) -> int | None:
    """A form or query field as an integer; None when absent or empty, else 400 if bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_int(value, low=low, high=high)
    if number is None:
        raise _bad(name, f"a whole number from {low} to {high}")
    return number


_SECONDS_RE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,6})?")


def field_seconds(value: Any, name: str, *, high: float = 7 * 24 * 3600) -> float:
    """A time in seconds ("12", "754.25"), from 0 to ``high``; else 400."""
    text = value.strip() if isinstance(value, str) else ""
    if not _SECONDS_RE.fullmatch(text) or float(text) > high:
        raise _bad(name, f"a number of seconds from 0 to {high:g}")
    return float(text)


def field_ids(value: Any, name: str, *, limit: int = 1000) -> list[int]:
    """A comma-separated list of ids (at most ``limit``); 400 if any is not an id."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str):
        raise _bad(name, "a comma-separated list of ids")
    parts = value.split(",")
    ids = [parse_int(part) for part in parts[:limit]]
    if len(parts) > limit or None in ids:
        raise _bad(name, f"a comma-separated list of at most {limit} ids")
    return [i for i in ids if i is not None]


def field_cursor(value: Any, name: str) -> tuple[datetime, int] | None:
    """The keyset cursor ``<epoch seconds>:<entry id>``; None when absent, else 400 if bad."""
    if value is None or value == "":
        return None
    seconds, _, entry_id = value.partition(":") if isinstance(value, str) else ("", "", "")
    negative = seconds.startswith("-")  # a story dated before 1970
    ts = parse_int(seconds[1:] if negative else seconds, low=0, high=MAX_EPOCH)
    if ts is not None and negative:
        ts = -ts if ts <= -MIN_EPOCH else None
    number = parse_int(entry_id)
    if ts is None or number is None:
        raise _bad(name, "a cursor <seconds>:<story id>")
    return datetime.fromtimestamp(ts, UTC), number
