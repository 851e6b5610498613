"""Properties of the pure schedule (core/schedule.py), over hostile inputs too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tidings.core import schedule
from tidings.core.schedule import (
    MIN_PASS_DELAY,
    OVERRIDE_BOUNDS,
    RETRY_AFTER_BOUNDS,
    Limits,
    next_check_at,
    parse_interval,
    pass_delay,
)

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)

limits_st = st.tuples(st.integers(60, 86400), st.integers(60, 30 * 86400)).map(
    lambda t: Limits(min(t), max(t))
)
# anything a hostile feed or server can make a hint become, and a bit more
hint_st = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12).map(float),
)
ttl_st = st.one_of(st.none(), st.integers(-(10**12), 10**12))
rate_st = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 10**6))


def seconds(at: datetime) -> float:
    return (at - NOW).total_seconds()


@given(limits_st, rate_st, ttl_st, hint_st)
def test_success_stays_within_min_and_max(
    limits: Limits, rate: float, ttl: int | None, max_age: float | None
) -> None:
    at = next_check_at(NOW, limits=limits, entries_per_week=rate, ttl_minutes=ttl, max_age=max_age)
    assert limits.min_interval <= seconds(at) <= limits.max_interval


@given(limits_st, st.integers(0, 10**6), ttl_st, hint_st)
def test_errors_stay_within_min_and_max(
    limits: Limits, errors: int, ttl: int | None, max_age: float | None
) -> None:
    at = next_check_at(NOW, limits=limits, error_count=errors, ttl_minutes=ttl, max_age=max_age)
    assert limits.min_interval <= seconds(at) <= limits.max_interval


@given(limits_st, st.integers(0, 10**6), hint_st)
def test_retry_after_is_honoured_within_its_own_bounds(
    limits: Limits, errors: int, retry_after: float | None
) -> None:
    at = seconds(next_check_at(NOW, limits=limits, error_count=errors, retry_after=retry_after))
    assert limits.min_interval <= at <= max(limits.max_interval, RETRY_AFTER_BOUNDS[1])
    if retry_after is not None and retry_after > 0:  # never earlier than asked (clamped)
        assert at >= min(max(retry_after, RETRY_AFTER_BOUNDS[0]), RETRY_AFTER_BOUNDS[1])


@given(limits_st, st.integers(1, 10**4), st.integers(1, 10**4))
def test_backoff_grows_with_errors(limits: Limits, a: int, b: int) -> None:
    assume(a != b)
    fewer, more = sorted((a, b))
    assert next_check_at(NOW, limits=limits, error_count=fewer) <= next_check_at(
        NOW, limits=limits, error_count=more
    )


@given(limits_st)
def test_backoff_reaches_the_maximum_and_starts_at_the_minimum(limits: Limits) -> None:
    assert seconds(next_check_at(NOW, limits=limits, error_count=1)) == limits.min_interval
    assert seconds(next_check_at(NOW, limits=limits, error_count=10**6)) == limits.max_interval


@given(limits_st, st.floats(0.01, 10**4), st.floats(0.01, 10**4))
def test_a_busier_feed_is_checked_no_later(limits: Limits, a: float, b: float) -> None:
    slow, busy = sorted((a, b))
    assert next_check_at(NOW, limits=limits, entries_per_week=busy) <= next_check_at(
        NOW, limits=limits, entries_per_week=slow
    )


@given(limits_st, st.floats(0, 10**6), ttl_st, hint_st)
def test_hints_only_ever_push_the_check_later(
    limits: Limits, rate: float, ttl: int | None, max_age: float | None
) -> None:
    plain = next_check_at(NOW, limits=limits, entries_per_week=rate)
    hinted = next_check_at(NOW, limits=limits, entries_per_week=rate, ttl_minutes=ttl, max_age=max_age)
    assert plain <= hinted


@given(limits_st, st.integers(-(10**12), 10**12), hint_st)
def test_an_override_is_clamped_to_its_bounds(
    limits: Limits, override: int, max_age: float | None
) -> None:
    at = seconds(next_check_at(NOW, limits=limits, override=override, max_age=max_age))
    assert OVERRIDE_BOUNDS[0] <= at <= OVERRIDE_BOUNDS[1]


@given(limits_st, st.integers(60, 86400), st.integers(1, 50))
def test_errors_back_off_even_with_an_override(limits: Limits, override: int, errors: int) -> None:
    at = seconds(next_check_at(NOW, limits=limits, override=override, error_count=errors))
    assert at == seconds(next_check_at(NOW, limits=limits, error_count=errors))


@given(
    st.one_of(st.none(), st.integers(-(10**9), 10**9).map(lambda s: NOW + timedelta(seconds=s))),
    st.floats(-(10**6), 10**6),
)
def test_the_scheduler_sleeps_within_one_second_and_refresh_every(
    next_due: datetime | None, every: float
) -> None:
    delay = pass_delay(next_due, NOW, every)
    assert MIN_PASS_DELAY <= delay <= max(MIN_PASS_DELAY, every)
    if next_due is not None and every > MIN_PASS_DELAY:
        assert delay == min(every, max(MIN_PASS_DELAY, seconds(next_due)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1w", 604800), ("15", 900),
     (" 5 M ", 300), ("auto", None), ("default", None)],
)
def test_parse_interval(text: str, expected: int | None) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", ["", "-5m", "5x", "1.5h", "m", "99999999d", "5m5s"])
def test_parse_interval_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


@given(st.text(max_size=30))
def test_parse_interval_raises_only_value_error(text: str) -> None:
    try:
        result = parse_interval(text)
    except ValueError:
        return
    assert result is None or result >= 0


def test_rate_window() -> None:
    dates = [NOW - timedelta(days=d) for d in range(40)]
    assert schedule.entries_per_week(dates, NOW) == 29 * 7 / 28  # days 0..28 inclusive
    assert schedule.entries_per_week([], NOW) is None
