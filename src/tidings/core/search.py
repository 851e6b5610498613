"""The reader's search syntax, parsed into a dialect-free ``SearchQuery``.

Syntax: ``words`` (all must match), ``"exact phrases"``, ``-word`` or
``-"phrase"`` to exclude, ``word*`` for a prefix, and the filters
``feed:NAME`` / ``category:NAME`` (quoted when they hold spaces). Several
``feed:`` (or ``category:``) filters mean any of them. ``tag:NAME`` keeps the
entries the reader tagged NAME (case aside; #15); several ``tag:`` mean all of them.

Parsing never fails on odd input: unbalanced quotes close at the end, stray
punctuation is dropped. Only a query with nothing left to search for raises
``SearchQueryError``, whose message is written for the reader. Engines turn
terms into their own syntax and must quote every term (HOSTILE E7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tidings.errors import SearchQueryError
from tidings.model import Entry

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MARK_START = "\x02"  # highlight markers in titles and snippets (never in stored text)
MARK_END = "\x03"

_TOKEN = re.compile(r'(-?)(?:(feed|category|tag):)?(?:"([^"]*)"?|(\S+))', re.IGNORECASE)
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase; ``prefix`` for ``word*``."""

    text: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    feeds: tuple[str, ...] = ()  # feed title or URL contains (case-insensitive)
    categories: tuple[str, ...] = ()  # category name contains (case-insensitive)
    tags: tuple[str, ...] = ()  # tagged with each of these by the reader (case-insensitive)

    @property
    def has_text(self) -> bool:
        return bool(self.include)

    def words(self) -> list[str]:
        """The words to highlight, lower-cased."""
        out: list[str] = []
        for term in self.include:
            out.extend(w.lower() for w in re.findall(r"\w+", term.text))
        return out


def parse_query(text: str) -> SearchQuery:
    """Parse the reader's query text. Raises ``SearchQueryError`` when nothing is left."""
    text = _CONTROL.sub(" ", text or "")[:MAX_QUERY_CHARS]
    include: list[Term] = []
    exclude: list[Term] = []
    feeds: list[str] = []
    categories: list[str] = []
    tags: list[str] = []
    for match in _TOKEN.finditer(text):
        negative, field, quoted, bare = match.groups()
        value = (quoted if quoted is not None else bare or "").strip()
        if field:
            if value:
                found = {"feed": feeds, "category": categories, "tag": tags}[field.lower()]
                found.append(value.lower())
            continue
        prefix = quoted is None and value.endswith("*")
        value = value.strip("*").strip() if quoted is None else value
        if not _WORDLIKE.search(value):
            continue
        term = Term(value, prefix=prefix)
        (exclude if negative else include).append(term)
    if len(include) + len(exclude) > MAX_TERMS:
        raise SearchQueryError(f"Too many words: use at most {MAX_TERMS}.")
    query = SearchQuery(
        tuple(include), tuple(exclude), tuple(feeds), tuple(categories), tuple(tags)
    )
    if not include and (exclude or not (feeds or categories or tags)):
        if exclude:
            raise SearchQueryError("Add a word to search for; -word only narrows a search.")
        raise SearchQueryError('Type a word or a "phrase" to search for.')
    return query


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the entry, and its title and a snippet with highlight markers.

    ``title`` and ``snippet`` are plain text in which ``MARK_START``/``MARK_END``
    surround matched words; renderers escape the text, then turn the markers
    into markup.
    """

    entry: Entry
    title: str
    snippet: str
