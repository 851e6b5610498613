"""When to check a feed next: a pure function of its state and what the server said."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

WEEK = 7 * 86400
DEFAULT_INTERVAL = 3600  # a feed whose posting rate is unknown
MAX_BACKOFF_EXPONENT = 40  # 2**40 x min_interval exceeds any max_interval: backoff reaches it
RETRY_AFTER_BOUNDS = (60.0, 7 * 86400.0)
OVERRIDE_BOUNDS = (60.0, 30 * 86400.0)
MIN_PASS_DELAY = 1.0  # the scheduler never spins faster than this
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": WEEK}
_INTERVAL = re.compile(r"^\s*(\d{1,7})\s*([smhdw]?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds for the computed interval, in seconds."""

    min_interval: int = 600
    max_interval: int = 86400


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def interval_for_rate(entries_per_week: float, limits: Limits) -> float:
    """Check about twice per mean gap between posts, within the limits."""
    if entries_per_week <= 0:
        return clamp(DEFAULT_INTERVAL, limits.min_interval, limits.max_interval)
    return clamp(WEEK / entries_per_week / 2, limits.min_interval, limits.max_interval)


def next_check_at(
    now: datetime,
    *,
    limits: Limits,
    entries_per_week: float = 0.0,
    error_count: int = 0,
    ttl_minutes: int | None = None,
    max_age: float | None = None,
    retry_after: float | None = None,
    override: int | None = None,
) -> datetime:
    """The next time a feed is due.

    ``error_count`` is the count *including* the failure being recorded (0 on
    success): failures back off exponentially from ``min_interval`` up to
    ``max_interval``. Server hints (TTL, max-age, Retry-After) can only push
    the next check later, never earlier than the posting-rate interval, and are
    clamped so a hostile value cannot park a feed for years.
    """
    if override is not None and error_count == 0:
        seconds = clamp(float(override), *OVERRIDE_BOUNDS)
    elif error_count > 0:
        exponent = min(error_count - 1, MAX_BACKOFF_EXPONENT)
        seconds = clamp(limits.min_interval * 2**exponent, limits.min_interval, limits.max_interval)
    else:
        seconds = interval_for_rate(entries_per_week, limits)
        hinted = max(
            float(ttl_minutes) * 60 if ttl_minutes and ttl_minutes > 0 else 0.0,
            max_age if max_age and max_age > 0 else 0.0,
        )
        seconds = max(seconds, min(hinted, float(limits.max_interval)))
    if retry_after is not None and retry_after > 0:
        seconds = max(seconds, clamp(retry_after, *RETRY_AFTER_BOUNDS))
    # rounded up to the microsecond: timedelta rounds half to even, which could
    # land half a microsecond before a server's Retry-After
    return now + timedelta(microseconds=math.ceil(seconds * 1_000_000))


def entries_per_week(
    published: list[datetime], now: datetime, window_days: int = 28
) -> float | None:
    """Posting rate from the entries' dates within the window, or None if no dates."""
    if not published:
        return None
    start = now - timedelta(days=window_days)
    recent = sum(1 for d in published if start <= d <= now)
    return recent * 7 / window_days


def pass_delay(next_due: datetime | None, now: datetime, every: float) -> float:
    """Seconds the scheduler sleeps before its next pass.

    Until the next feed is due, but at most ``every`` (so feeds added meanwhile,
    or a clock stepped backwards, wait no longer than that) and at least
    ``MIN_PASS_DELAY`` (a due feed still being refreshed cannot make it spin).
    """
    every = max(MIN_PASS_DELAY, every)
    if next_due is None:
        return every
    return clamp((next_due - now).total_seconds(), MIN_PASS_DELAY, every)


def parse_interval(text: str) -> int | None:
    """``"90s"``, ``"30m"``, ``"2h"``, ``"1d"``, ``"1w"`` (a bare number is minutes) as seconds;
    ``"auto"`` (or ``"default"``) is ``None``: back to the posting-rate schedule.

    Raises ``ValueError`` for anything else.
    """
    if text.strip().lower() in {"auto", "default", "none"}:
        return None
    match = _INTERVAL.match(text)
    if match is None:
        raise ValueError(f"not an interval: {text!r} (e.g. 90s, 30m, 2h, 1d, or auto)")
    return int(match[1]) * _UNITS[(match[2] or "m").lower()]
