"""Date parsing for feeds: every real-world format we meet, as aware UTC datetimes.

Fast paths first (``datetime.fromisoformat`` for W3DTF/ISO 8601, one regex for
RFC 822 and its many variants), then a few looser fallbacks. Anything that is
not a plausible date gives ``None``; nothing here raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janv", "jän", "ene", "gen"),
            ("feb", "february", "févr", "fev", "fév"),
            ("mar", "march", "mär", "mrz", "märz"),
            ("apr", "april", "avr", "abr"),
            ("may", "mai", "mei", "mag", "mayo"),
            ("jun", "june", "juin", "juni", "giu"),
            ("jul", "july", "juil", "juli", "lug"),
            ("aug", "august", "août", "aou", "ago"),
            ("sep", "sept", "september", "set"),
            ("oct", "october", "okt", "ott", "out"),
            ("nov", "november"),
            ("dec", "december", "dez", "déc", "dic"),
        ),
        start=1,
    )
    for name in names
}

_ZONES = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
    "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
    "akdt": -8, "akst": -9, "hst": -10, "adt": -3, "ast": -4, "ndt": -2.5, "nst": -3.5,
    "bst": 1, "ist": 5.5, "cet": 1, "met": 1, "cest": 2, "mest": 2, "eet": 2, "eest": 3,
    "msk": 3, "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "awst": 8,
    "acst": 9.5, "acdt": 10.5, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
}  # fmt: skip

_RFC822_RE = re.compile(
    r"""\s*(?:[^\d\s,]+,?\s*)?            # optional weekday, in any language
    (\d{1,2})[\s\-/.]*([^\W\d_]+)\.?[\s\-/.,]*(\d{2,4})   # day month year
    (?:[\sT,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([ap]\.?m\.?)?)?  # time
    \s*(.*)$""",
    re.VERBOSE | re.IGNORECASE,
)
_MDY_RE = re.compile(  # "Sun Jan  4 16:29:06 PST 2004", "January 4, 2004 10:00 AM"
    r"""\s*(?:[^\d\s,]+,?\s+)??([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+
    (?:(\d{4})\s*,?\s*)?
    (?:(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([ap]\.?m\.?)?)?
    \s*([a-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(\d{4})?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"""\s*(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?
    (?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?
    \s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_OFFSET_RE = re.compile(r"(?:(?:gmt|utc|ut)\s*)?([+-])(\d{1,2}):?(\d{2})?\b", re.IGNORECASE)


def _offset(text: str) -> timedelta | None:
    """A time zone suffix as an offset from UTC; unknown names count as UTC."""
    text = text.strip().strip("()").strip()
    if not text:
        return timedelta(0)
    match = _OFFSET_RE.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=18):
            return None
        return -delta if sign == "-" else delta
    name = text.split()[0].strip("()").lower()
    return timedelta(hours=_ZONES.get(name, 0))


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 50 else 1900
    elif len(text) == 3:
        year += 1900
    return year


def _build(
    year: int,
    month: int,
    day: int,
    hms: tuple[str | None, str | None, str | None],
    ampm: str | None,
    offset: timedelta | None,
) -> datetime | None:
    if offset is None:
        return None
    hour = int(hms[0]) if hms[0] else 0
    minute = int(hms[1]) if hms[1] else 0
    second = int(hms[2]) if hms[2] else 0
    if ampm:
        pm = ampm[0].lower() == "p"
        if hour > 12:
            return None
        hour = hour % 12 + (12 if pm else 0)
    extra = timedelta(0)
    if hour == 24 and minute == 0 and second == 0:
        hour, extra = 0, timedelta(days=1)
    second = min(second, 59)
    try:
        local = datetime(year, month, day, hour, minute, second)
        return (local + extra - offset).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


_UTC_NAMES = frozenset({"GMT", "UT", "UTC", "Z", "+0000", "-0000"})


def _fast_rfc822(text: str) -> datetime | None:
    """The canonical shape, "Wed, 31 Dec 2003 10:14:55 GMT", without a regex."""
    parts = text.split()
    if len(parts) == 6 and parts[0][-1:] == ",":
        parts = parts[1:]
    if len(parts) != 5:
        return None
    day, month_name, year, hms, zone = parts
    month = _MONTHS.get(month_name.lower())
    if not (month and day.isdigit() and year.isdigit() and len(hms) == 8 and hms[2] == ":"):
        return None
    if zone in _UTC_NAMES:
        offset: timedelta | None = timedelta(0)
    else:
        offset = _offset(zone)
    return _build(_year(year), month, int(day), (hms[:2], hms[3:5], hms[6:]), None, offset)


def _parse_rfc822(text: str) -> datetime | None:
    fast = _fast_rfc822(text)
    if fast is not None:
        return fast
    match = _RFC822_RE.match(text)
    if not match:
        return None
    day, month_name, year, hour, minute, second, ampm, zone = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    return _build(_year(year), month, int(day), (hour, minute, second), ampm, _offset(zone))


def _parse_mdy(text: str) -> datetime | None:
    match = _MDY_RE.match(text)
    if not match:
        return None
    month_name, day, year1, hour, minute, second, ampm, zone, year2 = match.groups()
    month = _MONTHS.get(month_name.lower())
    year = year1 or year2
    if month is None or year is None:
        return None
    return _build(int(year), month, int(day), (hour, minute, second), ampm, _offset(zone or ""))


def _parse_iso(text: str) -> datetime | None:
    match = _ISO_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    return _build(
        int(year), int(month or 1), int(day or 1), (hour, minute, second), None, _offset(zone or "")
    )


def _from_iso(text: str) -> datetime | None:
    """``datetime.fromisoformat`` (fast, C) for the common W3DTF shapes."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None


def parse_date(text: str | None) -> datetime | None:
    """Parse a feed date into an aware UTC datetime; ``None`` if it is not one."""
    if not text:
        return None
    text = text.strip()
    if len(text) < 4 or len(text) > 100:
        return None
    if text[:4].isdigit():
        parsed = _from_iso(text) if len(text) >= 10 else None
        return parsed or _parse_iso(text) or _parse_rfc822(text)
    return _parse_rfc822(text) or _parse_mdy(text)


def utc_from_timestamp(value: float) -> datetime | None:
    """A UNIX timestamp as an aware UTC datetime, ``None`` if out of range."""
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
