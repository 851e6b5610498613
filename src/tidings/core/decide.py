"""Build the ``FeedUpdate`` that records one refresh's outcome on the feed."""

from __future__ import annotations

from datetime import datetime

from tidings.core import schedule
from tidings.model import Caching, FeedData, FeedState, FeedUpdate, Fetched, FetchError, NotModified


def _limits_override(state: FeedState, limits: schedule.Limits) -> int | None:
    """The resolved interval subscribers asked for, within the admin's limits (#11)."""
    if state.interval_override is None:
        return None
    return int(schedule.clamp(state.interval_override, limits.min_interval, limits.max_interval))


def succeeded(
    state: FeedState,
    fetched: Fetched,
    feed: FeedData,
    now: datetime,
    limits: schedule.Limits,
    rate: float | None,
) -> FeedUpdate:
    """The feed served a document we could parse."""
    per_week = rate if rate is not None else state.entries_per_week
    return FeedUpdate(
        feed_id=state.id,
        fetched_at=now,
        next_check_at=schedule.next_check_at(
            now,
            limits=limits,
            entries_per_week=per_week,
            ttl_minutes=feed.ttl_minutes,
            max_age=fetched.hints.max_age,
            override=_limits_override(state, limits),
        ),
        caching=fetched.caching,
        title=feed.title,
        link=feed.link,
        description=feed.description,
        language=feed.language,
        icon=feed.icon or feed.image,
        hub=feed.hub,
        url=fetched.permanent_redirect,
        entries_per_week=rate,
        lease_owner=state.lease_owner,
    )


def not_modified(
    state: FeedState, result: NotModified, now: datetime, limits: schedule.Limits
) -> FeedUpdate:
    """A 304: nothing changes but the times (and validators the server re-sent)."""
    caching = Caching(
        etag=result.caching.etag or state.caching.etag,
        last_modified=result.caching.last_modified or state.caching.last_modified,
    )
    return FeedUpdate(
        feed_id=state.id,
        fetched_at=now,
        next_check_at=schedule.next_check_at(
            now,
            limits=limits,
            entries_per_week=state.entries_per_week,
            max_age=result.hints.max_age,
            override=_limits_override(state, limits),
        ),
        caching=caching,
        hub=state.hub,
        lease_owner=state.lease_owner,
    )


def failed(
    state: FeedState,
    message: str,
    now: datetime,
    limits: schedule.Limits,
    result: FetchError | None = None,
) -> FeedUpdate:
    """A fetch or parse failure: recorded, backed off, old entries untouched."""
    return FeedUpdate(
        feed_id=state.id,
        fetched_at=now,
        next_check_at=schedule.next_check_at(
            now,
            limits=limits,
            error_count=state.error_count + 1,
            retry_after=result.hints.retry_after if result else None,
        ),
        error=message,
        disabled=bool(result and result.gone),
        lease_owner=state.lease_owner,
    )
