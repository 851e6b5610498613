"""The store, one protocol per domain; ``Store`` is all of them.

Every method raises ``StorageError`` when the engine fails (a driver error
never leaves the store) and ``NotFoundError`` where it says so.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from tidings.core.search import SearchHit, SearchQuery
from tidings.errors import StorageError
from tidings.model import (
    ApiLogin,
    CleanupCounts,
    Entry,
    EntryFilter,
    EntryId,
    EntryUpdate,
    Feed,
    FeedCount,
    FeedId,
    FeedState,
    FeedUpdate,
    FullTextMode,
    Icon,
    IconJob,
    Publication,
    Retention,
    Rule,
    SavedSearch,
    StoryContext,
    StoryOptions,
    User,
    UserId,
    WebSubState,
)
from tidings.ports.jobs import JobQueue


class AccountStore(Protocol):
    """Users, password hashes, sessions and per-user settings (issue #6).

    Secrets never reach the store: it keeps argon2 hashes of passwords and
    SHA-256 hashes of session tokens.
    """

    def get_user(self, user_id: UserId) -> User:
        """The user; raises ``NotFoundError``."""
        ...

    def get_users(self) -> list[User]:
        """Every user, by name."""
        ...

    def has_passwords(self) -> bool:
        """Whether any user has a password (if not, the web app asks for setup)."""
        ...

    def get_password_hash(self, name: str) -> tuple[UserId, str | None] | None:
        """The id and password hash of the user called ``name``, or None."""
        ...

    def create_user(self, name: str, password_hash: str, *, is_admin: bool, now: datetime) -> User:
        """Create a user, or give a password to one that has none (made by the CLI).

        Raises ``AccountError`` if a user of that name already has a password.
        """
        ...

    def claim_first_admin(self, name: str, password_hash: str, *, now: datetime) -> User | None:
        """Atomically make ``name`` an admin with this password, if no user has one yet.

        Returns None (changing nothing) once any user has a password.
        """
        ...

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        """Change a password and end every session of the user (one transaction)."""
        ...

    def add_session(
        self, user_id: UserId, token_hash: str, *, now: datetime, expires: datetime
    ) -> None:
        """Store a session by the hash of its token; expired sessions are purged.

        Raises ``NotFoundError`` for a user that does not exist."""
        ...

    def get_session_user(self, token_hash: str, *, now: datetime) -> User | None:
        """The user of an unexpired session, or None."""
        ...

    def delete_session(self, token_hash: str) -> None:
        """End one session (no error if it is gone already)."""
        ...

    def get_user_settings(self, user_id: UserId) -> dict[str, Any]:
        """The user's reader settings as stored (unknown keys are the caller's concern)."""
        ...

    def set_user_settings(self, user_id: UserId, values: dict[str, Any]) -> None: ...

    def get_time_zone(self, user_id: UserId) -> str | None:
        """The user's time zone (an IANA name), None if not set yet (#15); raises
        ``NotFoundError`` for a user that does not exist."""
        ...

    def set_time_zone(self, user_id: UserId, name: str | None, *, if_unset: bool = False) -> None:
        """Store the user's time zone (None: forget it); with ``if_unset``, only when
        none is stored yet (a sign-in's browser zone never replaces a chosen one).
        The name is the caller's to check. Raises ``NotFoundError``."""
        ...

    # API passwords (#12): Fever and Google Reader, separate from the web password

    def set_api_password(
        self, user_id: UserId, password_hash: str | None, fever_key_hash: str | None
    ) -> int:
        """Set (None: remove) the user's API password hash and keyed Fever key hash,
        and bump the user's API generation, returned (one transaction): every API
        token of an earlier generation is then dead. Raises ``NotFoundError``."""
        ...

    def get_api_login(self, name: str) -> ApiLogin | None:
        """The API password record of the user called ``name``, or None."""
        ...

    def get_api_login_by_fever_key(self, fever_key_hash: str) -> ApiLogin | None:
        """The API password record whose keyed Fever key hash this is, or None."""
        ...

    def get_api_generation(self, user_id: UserId) -> int:
        """The user's API generation (0 before any API password); raises ``NotFoundError``."""
        ...

    def add_api_token(
        self, user_id: UserId, token_hash: str, *, generation: int, now: datetime
    ) -> None:
        """Keep an API token's hash for the user, if ``generation`` is still theirs
        (a password changed meanwhile: nothing is kept)."""
        ...

    def get_api_token_user(self, token_hash: str) -> User | None:
        """The user of a live API token (of their current generation), or None."""
        ...

    def get_server_secret(self, name: str, new_value: str) -> str:
        """The secret called ``name``, stored as ``new_value`` if there is none yet
        (the first writer wins; every caller gets the stored value)."""
        ...


class ReadingStore(Protocol):
    """Reading a user's river: listings, one entry, marks, one subscription, counts (#6).

    Every method is scoped by ``user_id``; other users' feeds and entries raise
    ``NotFoundError`` or are simply not counted or marked.
    """

    def get_feed(self, user_id: UserId, feed_id: FeedId) -> Feed:
        """One subscription with its unread count; raises ``NotFoundError``."""
        ...

    def set_subscription(
        self,
        user_id: UserId,
        feed_id: FeedId,
        *,
        category: str | None,
        full_text: FullTextMode | None = None,
        interval: int | None = None,
    ) -> None:
        """File the feed under ``category`` (None: none) and set the user's own
        full-text mode and refresh interval (seconds; None: automatic). The shared
        feed's mode and interval become the values resolved across its subscribers
        (the strongest mode, the shortest interval; #11). Raises ``NotFoundError``."""
        ...

    def count_subscribers(self, feed_id: FeedId) -> int:
        """How many users follow the feed."""
        ...

    def set_feed_title(self, user_id: UserId, feed_id: FeedId, title: str | None) -> None:
        """The user's own name for the feed (None: the feed's title). Raises ``NotFoundError``."""
        ...

    def mark_entries_read(
        self, user_id: UserId, entry_ids: Sequence[EntryId], *, read: bool, now: datetime
    ) -> int:
        """Mark up to 1000 entries read/unread; ids the user cannot see are ignored.

        Returns how many entries changed state.
        """
        ...

    def mark_all_read(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        up_to: EntryId,
        older_than: datetime | None,
        now: datetime,
    ) -> int:
        """Mark read every entry the filter lists whose id is at most ``up_to`` (what
        the reader has seen) and, if given, that sorts before ``older_than``."""
        ...

    def count_entries(self, user_id: UserId, filter: EntryFilter) -> int:
        """How many entries the filter lists (use ``after_id`` for new arrivals)."""
        ...

    def get_feed_counts(
        self, user_id: UserId, categories: Collection[str | None] | None = None
    ) -> list[FeedCount]:
        """The user's subscriptions with their unread counts, by name (the sidebar);
        only those in ``categories`` when given (None in it: uncategorized feeds)."""
        ...

    def get_category_counts(self, user_id: UserId) -> dict[str | None, int]:
        """Unread entries per category name (None: feeds without a category)."""
        ...

    def count_starred(self, user_id: UserId) -> int: ...

    def get_latest_entry_id(self, user_id: UserId) -> EntryId:
        """The newest entry id in the user's subscriptions (0 if none)."""
        ...

    def get_entries(self, user_id: UserId, filter: EntryFilter) -> list[Entry]: ...

    def get_entry(self, user_id: UserId, entry_id: EntryId) -> Entry: ...

    def mark_entry(
        self,
        user_id: UserId,
        entry_id: EntryId,
        *,
        read: bool | None = None,
        starred: bool | None = None,
        now: datetime,
    ) -> None: ...

    def get_categories(self, user_id: UserId) -> list[str]: ...


class SyncStore(Protocol):
    """What the apps' sync APIs (Fever, Google Reader) read (#12): entries in id
    order, complete id lists, folders with their ids.

    Scoped by ``user_id``; only entries of feeds the user follows are listed, never
    those the user's rules hid; an id the user cannot see is simply left out.
    """

    def get_entries_by_id(
        self,
        user_id: UserId,
        *,
        after: EntryId | None = None,
        before: EntryId | None = None,
        ids: Collection[EntryId] | None = None,
        limit: int = 50,
    ) -> list[Entry]:
        """At most ``limit`` (up to 1000) entries in id order: those above ``after``,
        ascending; those below ``before``, descending (ascending when ``after`` is
        given too); only those of ``ids`` when given (the first 1000 of them)."""
        ...

    def get_entry_ids(
        self, user_id: UserId, *, unread: bool = False, starred: bool = False
    ) -> list[EntryId]:
        """Every listed entry's id, ascending (only unread, only starred when asked):
        never capped, since clients take "not in the unread list" to mean read."""
        ...

    def count_listed_entries(self, user_id: UserId) -> int:
        """How many entries ``get_entry_ids`` would list without filters."""
        ...

    def get_category_ids(self, user_id: UserId) -> list[tuple[int, str]]:
        """The user's categories as (id, name), by name; an id stays while the category does."""
        ...

    def get_stream_ids(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        start: EntryId | None = None,
        oldest_first: bool = False,
    ) -> list[EntryId]:
        """Up to ``filter.limit`` (at most 10,000) ids of the listed entries the filter
        selects, in crawl order (ids grow as entries are stored): newest first, or
        oldest first; only those past ``start`` in that order (keyset paging)."""
        ...

    def get_stream_entries(
        self,
        user_id: UserId,
        filter: EntryFilter,
        *,
        start: EntryId | None = None,
        oldest_first: bool = False,
    ) -> list[Entry]:
        """As ``get_stream_ids``, the entries (at most 1,000), with their stories."""
        ...

    def set_entry_flags(
        self,
        user_id: UserId,
        entry_ids: Sequence[EntryId],
        *,
        read: bool | None = None,
        starred: bool | None = None,
        now: datetime,
    ) -> int:
        """Set (never toggle) read and/or starred on up to 10,000 entries in one
        transaction; ids the user cannot see are ignored; ``ValueError`` for more.
        Returns how many flags changed."""
        ...

    def set_entry_tag(
        self, user_id: UserId, entry_ids: Sequence[EntryId], tag: str, *, tagged: bool
    ) -> int:
        """Tag (or untag) up to 10,000 entries the user can see; returns how many changed."""
        ...

    def get_newest_crawl_times(self, user_id: UserId) -> dict[FeedId, datetime]:
        """When the newest entry of each feed the user follows was first seen (feeds
        without entries are left out)."""
        ...

    def get_last_refreshed(self, user_id: UserId) -> datetime | None:
        """The last successful fetch of any feed the user follows (None: none yet)."""
        ...

    def get_site_links(self, user_id: UserId, feed_ids: Collection[FeedId]) -> dict[FeedId, str]:
        """The site link of each of ``feed_ids`` the user follows and that has one
        (an item's origin, without reading every subscription)."""
        ...

    def get_tags(self, user_id: UserId) -> list[str]:
        """Every tag on the user's entries, sorted."""
        ...

    def rename_label(self, user_id: UserId, old: str, new: str) -> bool:
        """Rename a folder (merging into ``new`` if it exists) and the tag of that name;
        False if neither existed."""
        ...

    def delete_label(self, user_id: UserId, name: str) -> bool:
        """Delete a folder (its feeds stay, in no folder) and the tag of that name; False
        if neither existed."""
        ...


class SearchStore(Protocol):
    """Full-text search; the engine's dialect lives in its own module (FTS5, tsvector)."""

    def search_entries(
        self, user_id: UserId, query: SearchQuery, *, limit: int = 30, offset: int = 0
    ) -> list[SearchHit]:
        """The user's entries matching ``query``, best first (BM25, titles weigh more).

        A query without words lists the filtered entries newest first. Every term
        is quoted for the engine; raises ``SearchQueryError`` (never a syntax
        error from the engine) if the engine still refuses it.
        """
        ...


class StoryStore(Protocol):
    """Stories (issue #5): extraction options, filter rules, and the enrich step's context.

    Story columns, clusters and rule outcomes are written by ``apply_refresh``
    (from ``EntryUpdate.story``); ``get_entries``/``get_entry`` return entries
    with their story, each story once in a river listing.
    """

    def get_story_context(self, feed_id: FeedId, urls: Sequence[str]) -> StoryContext:
        """The feed's extraction options, its subscribers' rules, and the articles
        already extracted for these canonical URLs (the page cache)."""
        ...

    def get_story_options(self, feed_id: FeedId) -> StoryOptions: ...

    def set_story_options(self, feed_id: FeedId, options: StoryOptions) -> None:
        """Replace the feed's extraction options; raises ``NotFoundError``."""
        ...


class RuleStore(Protocol):
    """A user's filter rules (#5); their outcomes are written by ``apply_refresh``."""

    def get_rules(self, user_id: UserId) -> list[Rule]: ...

    def add_rule(self, user_id: UserId, rule: Rule, *, now: datetime) -> Rule:
        """Store a validated rule; a rule for a feed the user does not follow raises
        ``NotFoundError``."""
        ...

    def remove_rule(self, user_id: UserId, rule_id: int) -> None:
        """Raises ``NotFoundError`` for a rule that is not the user's."""
        ...

    def get_rule_entries(self, user_id: UserId, feed_url: str | None, limit: int) -> list[Entry]:
        """The user's stored entries (of one feed, or all), newest first, for a dry run."""
        ...


class WebSubStore(Protocol):
    """WebSub subscriptions (#4): one per feed whose hub we asked to push."""

    def get_websub_candidates(
        self, *, now: datetime, retry_before: datetime, limit: int = 50
    ) -> list[tuple[FeedId, str, str, WebSubState | None]]:
        """Followed feeds with a hub that need a subscription request: never asked,
        hub changed, a lease in its last fifth (at most its last day) at ``now``, or
        an attempt before ``retry_before`` that was not verified (denied: a week later).
        Items: (feed id, feed URL, the feed's hub, the stored subscription or None)."""
        ...

    def request_websub(
        self,
        feed_id: FeedId,
        *,
        hub: str,
        topic: str,
        callback_id: str,
        secret: str,
        now: datetime,
    ) -> None:
        """Record that we (re)asked ``hub``; an active subscription renewed with the
        same hub and callback stays active meanwhile."""
        ...

    def get_websub(self, callback_id: str) -> WebSubState | None: ...

    def update_websub(
        self,
        feed_id: FeedId,
        *,
        state: str,
        expires_at: datetime | None = None,
        lease_seconds: int | None = None,
        error: str | None = None,
    ) -> None: ...

    def record_websub_push(self, feed_id: FeedId, now: datetime) -> None: ...


class IconStore(Protocol):
    """Feed icons (#12): one per feed, fetched by the icon task, served to subscribers."""

    def get_icon_candidates(
        self, *, stale_before: datetime, retry_before: datetime, limit: int = 50
    ) -> list[IconJob]:
        """Followed feeds, not disabled, fetched at least once, whose icon was never
        tried, was stored before ``stale_before``, or failed before ``retry_before``;
        never tried first, then the oldest try."""
        ...

    def get_icon(self, user_id: UserId, feed_id: FeedId) -> Icon | None:
        """The feed's icon row if the user follows the feed and one was tried, else None."""
        ...

    def get_icons(self, user_id: UserId) -> list[Icon]:
        """The stored images of every feed the user follows (not those they left),
        by feed id, in one query: only icons with bytes (never a try that only
        failed), never the icons of feeds only other users follow."""
        ...

    def set_icon(
        self,
        feed_id: FeedId,
        *,
        now: datetime,
        data: bytes | None = None,
        content_type: str | None = None,
        source_url: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record a try: the image (``data`` and ``content_type``, checked by the
        caller) or the ``error`` that kept it, which keeps any earlier image.
        A feed that is gone is ignored; ``ValueError`` for a success without bytes."""
        ...


class PublishStore(Protocol):
    """Publishing (#14): each user's secret publish token, and public publications.

    The token is kept as issued (it is shown again on the Settings page and by
    ``tidings publish url``); a user has at most one, and a new one replaces it."""

    def get_publish_token(self, user_id: UserId) -> str | None:
        """The user's live publish token, or None before one was made."""
        ...

    def set_publish_token(self, user_id: UserId, token: str, *, now: datetime) -> None:
        """Make ``token`` the user's publish token; the previous one is dead at once.
        Raises ``NotFoundError`` for a user that does not exist."""
        ...

    def get_publish_token_user(self, token: str) -> User | None:
        """The user whose live publish token this is, or None."""
        ...

    def add_publication(
        self,
        user_id: UserId,
        slug: str,
        selection: str,
        *,
        full_text: bool,
        now: datetime,
        title: str | None = None,
    ) -> Publication:
        """Publish ``selection`` of ``user_id``'s stories as ``slug``; ``PublicationError``
        if that slug is taken (the caller checks the slug and the selection)."""
        ...

    def get_publications(self) -> list[Publication]:
        """Every public publication, by slug."""
        ...

    def get_publication(self, slug: str) -> Publication:
        """The publication called ``slug``; raises ``NotFoundError``."""
        ...

    def remove_publication(self, slug: str) -> None:
        """Raises ``NotFoundError`` for a slug that is not published."""
        ...


class PlaybackStore(Protocol):
    """Where each user stopped an entry's audio or video (#15), per user and entry."""

    def get_playback_position(self, user_id: UserId, entry_id: EntryId) -> float | None:
        """The saved position in seconds (to the millisecond), or None: never saved,
        or an entry the user cannot see."""
        ...

    def set_playback_position(
        self, user_id: UserId, entry_id: EntryId, seconds: float, *, now: datetime
    ) -> None:
        """Save the position, replacing the last one. ``NotFoundError`` for an entry
        the user cannot see; ``ValueError`` for a position that is negative, not a
        number or over a week."""
        ...


class SavedSearchStore(Protocol):
    """Each user's saved searches (#15): a name and a query, listed in the sidebar.

    A name is unique per user whatever its case (its ``str.casefold``); the caller
    checks the name (not empty, capped) and the query (it parses)."""

    def get_saved_searches(self, user_id: UserId) -> list[SavedSearch]:
        """The user's saved searches, by name (case-insensitive), then by age."""
        ...

    def add_saved_search(
        self, user_id: UserId, name: str, query: str, *, now: datetime
    ) -> SavedSearch:
        """Save ``query`` as ``name``; ``SavedSearchTakenError`` if the user has a saved
        search of that name, ``NotFoundError`` for a user that does not exist."""
        ...

    def rename_saved_search(self, user_id: UserId, saved_id: int, name: str) -> SavedSearch:
        """Rename one of the user's saved searches (its query stays); ``NotFoundError``
        for one that is not theirs, ``SavedSearchTakenError`` for a name another of theirs has."""
        ...

    def remove_saved_search(self, user_id: UserId, saved_id: int) -> None:
        """Delete one of the user's saved searches; ``NotFoundError`` for one that is not theirs."""
        ...


class FeedStore(Protocol):
    """Shared feed rows and users' subscriptions to them."""

    def ensure_user(self, name: str, *, is_admin: bool = False) -> UserId: ...

    def add_feed(
        self,
        user_id: UserId,
        url: str,
        *,
        category: str | None,
        now: datetime,
        full_text: FullTextMode = FullTextMode.AUTO,
        due_at: datetime | None = None,
    ) -> FeedState:
        """Subscribe the user; create the shared feed row if it is new (due at
        ``due_at``, by default ``now``).
        ``full_text`` is a new subscription's own mode; the feed's mode is resolved
        across its subscribers (see ``set_subscription``)."""
        ...

    def remove_feed(self, user_id: UserId, url: str) -> None:
        """Unsubscribe (``NotFoundError`` unless followed). The entries the user starred
        or tagged stay theirs (in Starred and search, credited to the feed; #11); when
        nobody follows the feed any more its other entries go, and the feed goes with
        the last entry anyone kept."""
        ...

    def get_feeds(self, user_id: UserId) -> list[Feed]: ...

    def get_feed_state(self, feed_id: FeedId) -> FeedState: ...

    def get_feed_state_by_url(self, url: str) -> FeedState: ...

    def get_due_feeds(self, now: datetime, limit: int | None = None) -> list[FeedState]:
        """Feeds someone follows, not disabled, whose next check is at or before ``now``."""
        ...

    def count_due_feeds(self, now: datetime) -> int:
        """How many feeds ``get_due_feeds(now)`` would give, without reading them."""
        ...

    def get_next_check_at(self) -> datetime | None:
        """The earliest next check of a feed someone follows, not disabled (None: no feeds)."""
        ...

    def get_all_feeds(self) -> list[FeedState]: ...

    def set_feed_options(
        self,
        feed_id: FeedId,
        *,
        full_text: str | None = None,
        interval_override: int | None = None,
        next_check_at: datetime | None = None,
    ) -> None: ...


class RefreshStore(Protocol):
    """What one refresh reads before and writes after: entry hashes, one transaction."""

    #: the most feeds one ``apply_refreshes`` transaction should hold (the engine's
    #: limit; a writer's groups stay within it)
    write_group: int

    def get_entry_hashes(self, feed_id: FeedId) -> dict[str, str]:
        """Stored entries of a feed: guid -> content hash, and ``core.dedupe.DELETED``
        for the guid of an entry the cleanup deleted while the feed's document may
        still carry it (a tombstone; #15)."""
        ...

    def apply_refresh(self, update: FeedUpdate, entries: Sequence[EntryUpdate]) -> None:
        """Write the feed row, its new/changed entries and their search text in one
        transaction, which also ends the feed's lease (``JobQueue``)."""
        ...

    def apply_refreshes(
        self, batch: Sequence[tuple[FeedUpdate, Sequence[EntryUpdate]]]
    ) -> list[StorageError | None]:
        """``apply_refresh`` for many feeds in one transaction (group commit).

        Each feed is written whole or not at all: a feed whose statements fail is
        rolled back alone and gets its ``StorageError`` in the returned list (one
        item per feed, ``None`` when written). Raises ``StorageError`` when the
        transaction itself fails; then nothing of the batch was written.
        """
        ...


class RetentionStore(Protocol):
    """The cleanup of old entries (#15) and the lease that runs it once at a time."""

    def count_expired_entries(self, retention: Retention, *, now: datetime) -> CleanupCounts:
        """How many entries ``delete_expired_entries`` would delete now (``entries``,
        and of them ``read``, read by every subscriber); deletes nothing."""
        ...

    def delete_expired_entries(
        self,
        retention: Retention,
        *,
        now: datetime,
        limit: int,
        from_feed: FeedId | None = None,
    ) -> tuple[CleanupCounts, FeedId | None]:
        """Delete at most ``limit`` expired entries of a few feeds from ``from_feed``
        (None: the first) on, in one transaction (``Retention`` says which), with
        their states, search rows and story keys; their copies' cluster moves to the
        copy left with the smallest id; each guid is kept as a tombstone
        (``get_entry_hashes``). Returns what went and the feed to go on from, or None
        once every feed was seen (that last batch also prunes the story keys past the
        clustering window)."""
        ...

    def claim_maintenance(
        self, name: str, owner: str, *, now: datetime, every: float, lease_seconds: float
    ) -> bool:
        """Take the job ``name`` for ``owner`` (until ``now + lease_seconds``) if its
        last start is ``every`` seconds ago or more and no live lease holds it;
        whether it was taken. Any number of processes may ask at once: one gets it."""
        ...

    def end_maintenance(self, name: str, owner: str) -> None:
        """End ``owner``'s lease of ``name`` (its start time stays: the next is due
        ``every`` seconds after it)."""
        ...


class Store(
    AccountStore,
    FeedStore,
    JobQueue,
    RefreshStore,
    ReadingStore,
    SearchStore,
    StoryStore,
    RuleStore,
    SyncStore,
    WebSubStore,
    IconStore,
    PublishStore,
    PlaybackStore,
    RetentionStore,
    SavedSearchStore,
    Protocol,
):
    """Persistent state. Every method raises ``StorageError`` on engine failures.

    Feeds are shared rows; subscriptions, categories and read/starred state
    belong to a user. Methods taking a ``user_id`` only ever see that user's
    data and raise ``NotFoundError`` for anything else.
    """

    def close(self) -> None: ...
