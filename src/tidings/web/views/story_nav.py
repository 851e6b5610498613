"""Story navigation (#15): the list a story was opened from, and its neighbours there.

The story page knows its list by ``?from=<the list's path and query>``, never by
the referrer (``Referrer-Policy: no-referrer`` empties it). ``from`` passes
``safe_next`` (a same-site path, never another site) and names one of the lists
(the river, a category, a feed, each with its view, or a search); anything else is
no list at all: Back goes to All stories and there are no neighbours.

A list's neighbours are computed with the list's own filter around the story's
place in it (keyset: its sort time and id), so they are right whether or not the
story is still in the list (an unread list's story is read once opened). Search
results are ranked, not keyed: their neighbours are the hits beside it on its
page of results (and the pages' edges), found by running the search again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from tidings.aggregator import Aggregator
from tidings.model import Entry, UserId
from tidings.web.params import parse_int

MAX_SEARCH_PAGE = 30


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A story next to this one, and the link to it that keeps the list."""

    entry: Entry
    href: str


@dataclass(frozen=True, slots=True)
class StoryNav:
    """What the story page links to: its list (at this story) and its neighbours."""

    back: str  # the list's URL, anchored at this story
    origin: str | None  # the list's URL, carried by the page's own links (``from``)
    newer: Neighbour | None = None  # "Previous": above it in the list
    older: Neighbour | None = None  # "Next": below it

    @property
    def query(self) -> str:
        """``?from=...`` for a link that stays in this list, or ``""``."""
        return "?" + urlencode({"from": self.origin}) if self.origin else ""

    @classmethod
    def without_list(cls, entry: Entry) -> StoryNav:
        return cls(back=f"/#entry-{entry.id}", origin=None)

    @classmethod
    def within(
        cls, origin: str, entry: Entry, newer: Entry | None, older: Entry | None
    ) -> StoryNav:
        return cls(
            back=f"{origin}#entry-{entry.id}",
            origin=origin,
            newer=_neighbour(newer, origin),
            older=_neighbour(older, origin),
        )


def _neighbour(entry: Entry | None, origin: str) -> Neighbour | None:
    if entry is None:
        return None
    return Neighbour(entry, f"/entry/{entry.id}?" + urlencode({"from": origin}))


def search_url(text: str, page: int) -> str:
    return "/search?" + urlencode({"q": text, **({"page": page} if page else {})})


def search_nav(agg: Aggregator, user: UserId, entry: Entry, url: str, page_size: int) -> StoryNav:
    """Neighbours among the results of the search at ``url`` (``/search?q=..&page=N``):
    the page's hits and one on each side, so Next and Previous cross pages."""
    params = parse_qs(url.partition("?")[2])
    text = params.get("q", [""])[0][:500]
    page = min(parse_int(params.get("page", ["0"])[0], low=0) or 0, MAX_SEARCH_PAGE)
    if not text.strip():
        return StoryNav.without_list(entry)
    start = max(0, page * page_size - 1)
    result = agg.reading.search(user, text, limit=page_size + 2, offset=start)
    ids = [h.entry.id for h in result.hits]
    if entry.id not in ids:  # the results changed since: back to them, no neighbours
        origin = search_url(text, page)
        return StoryNav(back=f"{origin}#entry-{entry.id}", origin=origin)
    at = ids.index(entry.id)

    def beside(i: int) -> Neighbour | None:
        if not 0 <= i < len(ids) or (start + i) // page_size > MAX_SEARCH_PAGE:
            return None
        hit = result.hits[i].entry
        return Neighbour(
            hit,
            f"/entry/{hit.id}?" + urlencode({"from": search_url(text, (start + i) // page_size)}),
        )

    origin = search_url(text, (start + at) // page_size)
    return StoryNav(
        back=f"{origin}#entry-{entry.id}", origin=origin, newer=beside(at - 1), older=beside(at + 1)
    )
