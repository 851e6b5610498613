"""Publishing (#14): a selection of one user's stories as a feed, privately or publicly.

Part of the ``Aggregator`` facade (``agg.publishing``). A *selection* names stories
the way a reader's list does: ``all``, ``unread``, ``starred``, ``category/NAME``,
``feed/ID``, ``tag/NAME`` or ``search/QUERY`` (the search language of
``tidings.core.search``). It is always resolved as one user sees their river:
newest first, each story once, never an entry of a feed that user does not
follow, never one their rules hid.

- **Private feeds** are the owner's selections at
  ``/published/<token>/<selection>.<rss|atom|json>``: the token is the user's
  secret (``secrets.token_urlsafe(24)``), made on first use, replaced by
  ``revoke_token`` (the old one finds nothing at once).
- **Public publications** are selections an administrator published under a slug
  (``/p/<slug>``), resolved as that administrator: nobody else's subscriptions,
  read state or tags can reach them.
- **WebSub**: with ``publish_hub`` set, a refresh that stored new entries that a
  public publication lists pings the hub for that publication's feeds.
  Private feeds are never sent to a hub: their address is the secret.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import re
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import quote

from tidings.aggregator.websub import Poster
from tidings.core.search import parse_query
from tidings.errors import (
    NotFoundError,
    PermissionDeniedError,
    PublicationError,
    SearchQueryError,
    SettingsError,
)
from tidings.model import (
    Entry,
    EntryFilter,
    EntryId,
    FeedId,
    Posted,
    Publication,
    User,
    UserId,
)
from tidings.ports import Store
from tidings.publish import Channel, Format, Origin
from tidings.settings import Settings

__all__ = [
    "DEFAULT_ITEMS",
    "FORMATS",
    "MAX_ITEMS",
    "Published",
    "Publishing",
    "Selection",
    "parse_selection",
]

log = logging.getLogger(__name__)

MAX_ITEMS = 500  # items a request may ask for (?n=)
DEFAULT_ITEMS = 50
SEARCH_ITEMS = 200  # a search publication lists at most its best 200 matches, newest first
FORMATS: tuple[Format, ...] = ("atom", "rss", "json")
TOKEN_BYTES = 24  # 32 URL-safe characters
MAX_SELECTION = 600
PING_WINDOW = 20  # a publication's newest items a ping looks at for new arrivals
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
try:  # in every ETag: a new release may render the same items differently
    _VERSION = importlib.metadata.version("tidings")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
    _VERSION = "0"
_KINDS = ("all", "unread", "starred", "category", "feed", "tag", "search")


@dataclass(frozen=True, slots=True)
class Selection:
    """A parsed selection: ``kind`` and, for the named kinds, its ``value``."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}/{self.value}" if self.value else self.kind

    @property
    def path(self) -> str:
        """The selection as a URL path (its value quoted, ``/`` kept)."""
        return quote(str(self), safe="/")


def parse_selection(text: str) -> Selection:
    """``all``, ``unread``, ``starred``, ``category/NAME``, ``feed/ID``, ``tag/NAME``
    or ``search/QUERY``; ``NotFoundError`` for anything else, ``SearchQueryError``
    (its message for the reader) for a search that cannot run."""
    text = (text or "").strip()
    if len(text) > MAX_SELECTION or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise NotFoundError("no such selection")
    kind, _, value = text.partition("/")
    kind = kind.lower()
    if kind not in _KINDS:
        raise NotFoundError(f"no selection {kind!r}: use one of " + ", ".join(_KINDS))
    if kind in ("all", "unread", "starred"):
        if value:
            raise NotFoundError(f"{kind} takes no name")
        return Selection(kind)
    value = value.strip()
    if not value:
        raise NotFoundError(f"{kind}/ needs a name")
    if kind == "feed" and not value.isdigit():
        raise NotFoundError("feed/ takes a feed id")
    if kind == "search":
        parse_query(value)  # SearchQueryError for a query that cannot run
    return Selection(kind, value)


@dataclass(frozen=True, slots=True)
class Published:
    """What a published document is made of, and its HTTP validators."""

    channel: Channel
    entries: tuple[Entry, ...]
    origins: Mapping[FeedId, Origin]
    etag: str  # a strong validator of the items (and the channel), without rendering
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a selection: its entries, and where the next begins (``?before=``)."""

    entries: tuple[Entry, ...]
    next_before: str | None


def format_before(entry: Entry) -> str:
    sort = entry.sorted_at or entry.date
    return f"{int(sort.timestamp())}-{int(entry.id)}"


def parse_before(text: str | None) -> tuple[datetime, int] | None:
    """``?before=`` (``<epoch seconds>-<entry id>``); ``ValueError`` if malformed."""
    if not text:
        return None
    ts, sep, entry_id = text.partition("-")
    if not sep or not ts.isdigit() or not entry_id.isdigit() or len(text) > 40:
        raise ValueError("before= is <seconds>-<id>, as a feed's next link gives it")
    return datetime.fromtimestamp(int(ts), UTC), int(entry_id)


class Publishing:
    """Selections of one user's stories, resolved for feeds and public pages."""

    def __init__(
        self, store: Store, settings: Settings, *, new_poster: Callable[[], Poster]
    ) -> None:
        self.store = store
        self.settings = settings
        self.new_poster = new_poster

    # the private token

    def get_token(self, user: UserId) -> str:
        """The user's publish token, made on first use."""
        token = self.store.get_publish_token(user)
        return token if token is not None else self.revoke_token(user)

    def revoke_token(self, user: UserId) -> str:
        """A new publish token for the user; the old one's feeds answer 404 from now on."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.store.set_publish_token(user, token, now=_now())
        return token

    def token_user(self, token: str) -> User:
        """The user whose live token this is; ``NotFoundError`` otherwise."""
        found = self.store.get_publish_token_user(token) if _TOKEN.match(token or "") else None
        if found is None:
            raise NotFoundError("no such feed")
        return found

    def private_paths(self, user: UserId, fmt: Format = "atom") -> list[tuple[str, str]]:
        """(title, path) of the user's private feeds of All, Unread, Starred and each
        category, without making a token (none yet: an empty list)."""
        token = self.store.get_publish_token(user)
        if token is None:
            return []
        chosen = [Selection("all"), Selection("unread"), Selection("starred")]
        chosen += [Selection("category", name) for name in self.store.get_categories(user)]
        return [
            (self.selection_title(user, s), f"/published/{token}/{s.path}.{fmt}") for s in chosen
        ]

    def private_path(self, user: UserId, selection: str, fmt: Format = "atom") -> str:
        """The path of the user's private feed of ``selection`` (after checking it)."""
        chosen = self.check_selection(user, selection)
        return f"/published/{self.get_token(user)}/{chosen.path}.{fmt}"

    def private_url(self, user: UserId, selection: str, fmt: Format = "atom") -> str:
        """The full address of a private feed; needs the ``base_url`` setting."""
        base = self.settings.base_url.rstrip("/")
        if not base:
            raise SettingsError(
                "set base_url (TIDINGS_BASE_URL) to the address readers reach Tidings at"
            )
        return base + self.private_path(user, selection, fmt)

    # public publications (administrators)

    def add_publication(
        self,
        admin: UserId,
        selection: str,
        *,
        full_text: bool = False,
        slug: str | None = None,
        title: str | None = None,
    ) -> Publication:
        """Publish ``selection`` of the administrator's stories at ``/p/<slug>``."""
        self._check_admin(admin)
        chosen = self.check_selection(admin, selection)
        slug = slug if slug is not None else _slug_of(chosen)
        if not _SLUG.match(slug):
            raise PublicationError(
                f"bad name {slug!r}: 1-63 lower-case letters, digits and -, from a letter or digit"
            )
        title = (title or "").strip()[:200] or None
        return self.store.add_publication(
            admin, slug, str(chosen), full_text=full_text, title=title, now=_now()
        )

    def get_publications(self) -> list[Publication]:
        return self.store.get_publications()

    def get_publication(self, slug: str) -> Publication:
        if not _SLUG.match(slug or ""):
            raise NotFoundError("no such publication")
        return self.store.get_publication(slug)

    def remove_publication(self, admin: UserId, slug: str) -> None:
        self._check_admin(admin)
        self.store.remove_publication(slug)

    def _check_admin(self, user: UserId) -> None:
        if not self.store.get_user(user).is_admin:
            raise PermissionDeniedError("only an administrator publishes for everyone")

    # selections

    def check_selection(self, user: UserId, text: str) -> Selection:
        """The parsed selection, if it names something of the user's; else ``NotFoundError``
        (an unknown category, tag or feed) or ``SearchQueryError``."""
        chosen = parse_selection(text)
        if chosen.kind == "category" and chosen.value not in self.store.get_categories(user):
            raise NotFoundError(f"no category {chosen.value!r}")
        if chosen.kind == "tag" and chosen.value not in self.store.get_tags(user):
            raise NotFoundError(f"no tag {chosen.value!r}")
        if chosen.kind == "feed":
            self.store.get_feed(user, FeedId(int(chosen.value)))  # NotFoundError
        return chosen

    def get_page(
        self,
        user: UserId,
        selection: Selection,
        *,
        n: int = DEFAULT_ITEMS,
        before: str | None = None,
    ) -> Page:
        """Up to ``n`` (at most ``MAX_ITEMS``) stories of the selection, newest first,
        each once, older than ``before``."""
        n = max(1, min(n, MAX_ITEMS))
        start = parse_before(before)
        if selection.kind == "search":
            entries = self._search(user, selection.value, n, start)
        else:
            filter = replace(_filter_of(selection), limit=n + 1, before=start)
            entries = self.store.get_entries(user, filter)
        more = len(entries) > n
        entries = entries[:n]
        return Page(tuple(entries), format_before(entries[-1]) if more and entries else None)

    def _search(
        self, user: UserId, text: str, n: int, start: tuple[datetime, int] | None
    ) -> list[Entry]:
        """The best matches (at most ``SEARCH_ITEMS``), newest first, each story once."""
        hits = self.store.search_entries(user, parse_query(text), limit=SEARCH_ITEMS)
        ids = [h.entry.id for h in hits]
        found = self.store.get_entries_by_id(user, ids=ids, limit=len(ids)) if ids else []
        found.sort(key=lambda e: (e.sorted_at or e.date, e.id), reverse=True)
        out: list[Entry] = []
        stories: set[int] = set()
        for entry in found:
            key = (entry.sorted_at or entry.date, int(entry.id))
            if start is not None and key >= (start[0], start[1]):
                continue
            if entry.cluster_id is not None:
                if entry.cluster_id in stories:
                    continue
                stories.add(entry.cluster_id)
            out.append(entry)
            if len(out) > n:
                break
        return out

    def get_entry(self, user: UserId, selection: Selection, entry_id: int) -> Entry:
        """One story of the selection; ``NotFoundError`` if the selection does not list it."""
        entry = self.store.get_entry(user, EntryId(entry_id))
        if selection.kind == "search":
            listed = self._search(user, selection.value, SEARCH_ITEMS, None)
        else:
            # the listing from just above this entry: it comes first if the selection has it
            at = (entry.sorted_at or entry.date, int(entry.id) + 1)
            listed = self.store.get_entries(
                user, replace(_filter_of(selection), limit=1, before=at)
            )
        if not any(e.id == entry.id for e in listed):
            raise NotFoundError(f"no entry {entry_id}")
        return entry

    # documents

    def latest_entry_id(self, user: UserId) -> int:
        """The newest entry id in the user's feeds: it grows with every new story, so a
        validator remembered with it is stale once it moved (an indexed lookup)."""
        return int(self.store.get_latest_entry_id(user))

    def published(
        self,
        user: UserId,
        selection: Selection,
        channel: Channel,
        *,
        n: int = DEFAULT_ITEMS,
        before: str | None = None,
        next_url: Callable[[str], str] | None = None,
        personal: bool = True,
    ) -> Published:
        """A page of the selection with its channel, origins and validators; without
        ``personal`` (a public publication) the owner's read, starred and tags are left
        out of the entries."""
        page = self.get_page(user, selection, n=n, before=before)
        entries = page.entries
        if not personal:
            entries = tuple(replace(e, read=False, starred=False, tags=()) for e in entries)
        newest = max((_changed(e) for e in entries), default=channel.updated)
        if page.next_before is not None and next_url is not None:
            channel = replace(channel, next_url=next_url(page.next_before))
        channel = replace(channel, updated=newest)
        origins = self.get_origins(entries)
        return Published(channel, entries, origins, _etag(channel, entries, origins), newest)

    def get_origins(self, entries: Sequence[Entry]) -> dict[FeedId, Origin]:
        """The source feed of each of ``entries``, as its credit names it."""
        out: dict[FeedId, Origin] = {}
        newest: dict[FeedId, datetime] = {}
        for e in entries:
            newest[e.feed_id] = max(newest.get(e.feed_id, _changed(e)), _changed(e))
        for feed_id in sorted(newest):
            state = self.store.get_feed_state(feed_id)
            out[feed_id] = Origin(
                feed_id=feed_id,
                feed_url=state.url,
                title=state.title or state.url,
                site_url=state.link,
                # its newest item here, not its last fetch: the document (and its ETag)
                # stays the same while its items do
                updated=newest[feed_id],
            )
        return out

    def selection_title(self, user: UserId, selection: Selection) -> str:
        if selection.kind == "feed":
            feed = self.store.get_feed(user, FeedId(int(selection.value)))
            return feed.state.title or feed.state.url
        return {
            "all": "All stories",
            "unread": "Unread",
            "starred": "Starred",
            "category": selection.value,
            "tag": f"Tagged {selection.value}",
            "search": f"Search: {selection.value}",
        }[selection.kind]

    # WebSub: Tidings as a publisher

    def publications_with_news(
        self, since: datetime, feed_urls: Collection[str] | None = None
    ) -> list[Publication]:
        """The public publications whose newest items include one first seen at or after
        ``since`` (what a refresh that began then stored), from ``feed_urls`` if given
        (the feeds that refresh stored new entries of)."""
        since = since.replace(microsecond=0)  # the store keeps whole seconds
        out = []
        for publication in self.store.get_publications():
            try:
                chosen = parse_selection(publication.selection)
                page = self.get_page(publication.user_id, chosen, n=PING_WINDOW)
            except (NotFoundError, SearchQueryError):
                continue
            if any(
                e.first_seen >= since and (feed_urls is None or e.feed_url in feed_urls)
                for e in page.entries
            ):
                out.append(publication)
        return out

    async def ping_hub(
        self, since: datetime, feed_urls: Collection[str] | None = None
    ) -> list[str]:
        """Tell the ``publish_hub`` that the feeds of publications with new items
        changed (``hub.mode=publish``); returns the URLs pinged. Failures are logged."""
        hub = self.settings.publish_hub
        base = self.settings.base_url.rstrip("/")
        if not hub or not base:
            return []
        news = self.publications_with_news(since, feed_urls)
        urls = [f"{base}/p/{p.slug}.{fmt}" for p in news for fmt in FORMATS]
        if not urls:
            return []
        poster = self.new_poster()
        pinged = []
        try:
            for url in urls:
                result = await poster.post_form(hub, {"hub.mode": "publish", "hub.url": url})
                if isinstance(result, Posted) and 200 <= result.status < 300:
                    pinged.append(url)
                else:
                    log.warning("publish ping to %s for %s: %s", hub, url, result)
        finally:
            await poster.aclose()
        return pinged


def _filter_of(selection: Selection) -> EntryFilter:
    kind, value = selection.kind, selection.value
    if kind == "unread":
        return EntryFilter(unread=True)
    if kind == "starred":
        return EntryFilter(starred=True)
    if kind == "category":
        return EntryFilter(category=value)
    if kind == "feed":
        # a feed's own listing shows every copy of it; the page shows a story once anyway
        return EntryFilter(feed_id=FeedId(int(value)))
    if kind == "tag":
        return EntryFilter(tag=value)
    return EntryFilter()


def _slug_of(selection: Selection) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", str(selection).lower()).strip("-")
    return text[:63].rstrip("-") or "stories"


def _changed(entry: Entry) -> datetime:
    """When the entry last changed as far as a reader can tell."""
    return max(d for d in (entry.first_seen, entry.updated) if d is not None)


def _etag(channel: Channel, entries: Sequence[Entry], origins: Mapping[FeedId, Origin]) -> str:
    """A digest of what the document is made of (the channel and each item's fields),
    so a conditional request is answered without rendering."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_VERSION.encode())
    digest.update(repr(channel).encode())
    digest.update(repr(sorted(origins.items())).encode())
    for e in entries:
        parts = (
            e.id, e.title, e.link, e.author, e.published, e.updated, e.lead, e.section,
            e.source, e.main_image, e.categories, e.enclosures, e.duplicates, e.full_text,
            e.tags, e.feed_title, e.image, e.language, e.comments,
        )  # fmt: skip
        digest.update(repr(parts).encode())
        digest.update(hashlib.blake2b((e.content or e.summary or "").encode()).digest())
    return '"' + digest.hexdigest() + '"'


def _now() -> datetime:
    return datetime.now(UTC)
