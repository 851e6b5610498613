"""Subscriptions: the one way to change a followed feed's settings (#10).

Part of the ``Aggregator`` facade (``agg.subscriptions``). The web names a feed
by id, the CLI by URL: it resolves the URL once with ``feed_id_for``. Category
and title belong to the user; so do the full-text mode and the interval, as
the user's view and request: the shared feed fetches by the strongest mode and
the shortest interval its subscribers asked for (#11). The CSS selectors cannot
be resolved so: only an administrator or the feed's only subscriber sets them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Final, Protocol

from tidings.aggregator.scheduling import Scheduling
from tidings.content.clutter import compile_selector
from tidings.core.schedule import clamp
from tidings.errors import NotFoundError, PermissionDeniedError
from tidings.model import Feed, FeedId, FullTextMode, StoryOptions, UserId
from tidings.parser.fields import plain_text
from tidings.ports import AccountStore, FeedStore, ReadingStore, StoryStore, SyncStore
from tidings.settings import Settings

__all__ = ["MAX_TITLE", "UNSET", "Subscriptions", "Unset", "clean_title", "title_is_cut"]

MAX_SELECTORS = 20
MAX_CATEGORY = 100
MAX_TITLE = 200


class Unset(Enum):
    """The type of ``UNSET``: leave this setting as it is."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


class SubscriptionStore(AccountStore, FeedStore, ReadingStore, StoryStore, SyncStore, Protocol):
    """What changing a subscription reads and writes."""


class Subscriptions:
    """A user's subscriptions: resolve a URL, read and change the settings."""

    def __init__(
        self, store: SubscriptionStore, settings: Settings, scheduling: Scheduling
    ) -> None:
        self.store = store
        self.settings = settings
        self.scheduling = scheduling

    def feed_id_for(self, user: UserId, url: str) -> FeedId:
        """The id of the user's subscription to ``url``; ``NotFoundError`` if none."""
        found = next((f for f in self.store.get_feeds(user) if f.state.url == url), None)
        if found is None:
            raise NotFoundError(f"not subscribed: {url}")
        return found.state.id

    def rename_category(self, user: UserId, old: str, new: str) -> None:
        """Rename a category (merging into ``new`` if it exists) and the tag of that name;
        ``NotFoundError`` if there is neither."""
        new = new.strip()
        if not new or len(new) > 200:
            raise ValueError("a category name is 1 to 200 characters")
        if old != new and not self.store.rename_label(user, old, new):
            raise NotFoundError(f"no category or tag {old!r}")

    def delete_category(self, user: UserId, name: str) -> None:
        """Delete a category (its feeds stay, in none) and the tag of that name;
        ``NotFoundError`` if there is neither."""
        if not self.store.delete_label(user, name):
            raise NotFoundError(f"no category or tag {name!r}")

    def get_story_options(self, user: UserId, feed_id: FeedId) -> StoryOptions:
        """The feed's CSS selectors; ``NotFoundError`` unless the user follows it."""
        self.store.get_feed(user, feed_id)
        return self.store.get_story_options(feed_id)

    def update_subscription(
        self,
        user: UserId,
        feed_id: FeedId,
        *,
        category: str | Unset | None = UNSET,
        title: str | Unset | None = UNSET,
        interval: int | Unset | None = UNSET,
        full_text: FullTextMode | str | Unset = UNSET,
        body_selector: str | Unset | None = UNSET,
        remove_selectors: Sequence[str] | Unset = UNSET,
        now: datetime | None = None,
    ) -> Feed:
        """Change what is given (``UNSET``: leave it; None or "": clear it) and
        return the subscription as it now is.

        ``title`` is the user's name for the feed (``clean_title``: one line, no
        control characters, at most ``MAX_TITLE`` characters); "" or None gives the
        feed its own title back.

        ``interval`` is in seconds, clamped to ``[min_interval, max_interval]``
        (None: from the posting rate); a new one takes effect at once: the next
        check moves to at most ``interval`` from now and the scheduler is woken.
        Everything is checked before anything is written: ``ValueError`` for an
        unknown full-text mode, ``InvalidSelectorError`` for a bad selector,
        ``NotFoundError`` unless the user follows the feed, ``PermissionDeniedError``
        for selectors of a feed others follow too (unless the user is an admin).
        """
        feed = self.store.get_feed(user, feed_id)  # NotFoundError for anyone else's
        mode = FullTextMode(full_text) if not isinstance(full_text, Unset) else None
        seconds = self._interval(interval, feed)
        options = self._story_options(feed_id, body_selector, remove_selectors)
        if options is not None:
            self._check_may_set_selectors(user, feed_id)
        if _given(category, full_text, interval):
            self.store.set_subscription(
                user,
                feed_id,
                category=feed.category if isinstance(category, Unset) else _text(category),
                full_text=mode,
                interval=seconds,
            )
        if not isinstance(title, Unset):
            self.store.set_feed_title(user, feed_id, clean_title(title))
        if options is not None:
            self.store.set_story_options(feed_id, options)
        if seconds is not None and seconds != feed.state.interval_override:
            self._reschedule(feed, seconds, now or datetime.now(UTC))
        return self.store.get_feed(user, feed_id)

    def _interval(self, interval: int | Unset | None, feed: Feed) -> int | None:
        if isinstance(interval, Unset):
            return feed.state.interval_override
        if interval is None:
            return None
        return int(clamp(interval, self.settings.min_interval, self.settings.max_interval))

    def _story_options(
        self,
        feed_id: FeedId,
        body_selector: str | Unset | None,
        remove_selectors: Sequence[str] | Unset,
    ) -> StoryOptions | None:
        """The new selectors, compiled to check them (None: neither was given)."""
        if isinstance(body_selector, Unset) and isinstance(remove_selectors, Unset):
            return None
        current = self.store.get_story_options(feed_id)
        body = (
            current.body_selector
            if isinstance(body_selector, Unset)
            else (body_selector or "").strip() or None
        )
        remove = (
            current.remove_selectors
            if isinstance(remove_selectors, Unset)
            else tuple(s.strip() for s in remove_selectors if s.strip())[:MAX_SELECTORS]
        )
        for selector in (body, *remove):
            if selector:
                compile_selector(selector)  # raises InvalidSelectorError
        return StoryOptions(body_selector=body, remove_selectors=remove)

    def _check_may_set_selectors(self, user: UserId, feed_id: FeedId) -> None:
        """Selectors change what every subscriber reads: an admin's, or a sole reader's."""
        if self.store.count_subscribers(feed_id) > 1 and not self.store.get_user(user).is_admin:
            raise PermissionDeniedError(
                "other users follow this feed: only an administrator can change its selectors"
            )

    def _reschedule(self, feed: Feed, interval: int, now: datetime) -> None:
        soonest = now + timedelta(seconds=interval)
        current = feed.state.next_check_at
        if current is None or current > soonest:
            self.store.set_feed_options(feed.state.id, next_check_at=soonest)
        self.scheduling.wake()


def _given(*values: object) -> bool:
    return any(not isinstance(v, Unset) for v in values)


def clean_title(value: str | None) -> str | None:
    """A user's name for a feed as stored: control characters out, whitespace
    collapsed to one line, cut to ``MAX_TITLE`` (an ellipsis marks the cut); None
    for nothing (the feed's own title)."""
    return plain_text(value or "", MAX_TITLE)


def title_is_cut(value: str) -> bool:
    """Whether ``clean_title`` cuts ``value`` (to tell the user so)."""
    return len(" ".join(value.split())) > MAX_TITLE


def _text(value: str | None, limit: int = MAX_CATEGORY) -> str | None:
    """Trimmed and cut to ``limit``; None for nothing."""
    return (value or "").strip()[:limit] or None
