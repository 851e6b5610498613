"""Stable entry identity: guid/id, else link, else a content hash; duplicates disambiguated."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable

from tidings.model import EntryData

__all__ = ["content_id", "unique_entries"]

MAX_ID_CHARS = 2048


def content_id(*parts: str | None) -> str:
    """An id derived from an entry's content, for entries with neither guid nor link."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8", "replace"))
    return "sha256:" + digest.hexdigest()[:32]


def pick_id(guid: str | None, link: str | None, *content: str | None) -> str:
    """The entry id: the guid, else the link, else a content hash."""
    if guid:
        guid = guid.strip()
        if guid:
            return guid[:MAX_ID_CHARS]
    if link:
        return link[:MAX_ID_CHARS]
    return content_id(*content)


def unique_entries(entries: Iterable[EntryData]) -> tuple[EntryData, ...]:
    """Make ids unique, deterministically.

    A repeated id gets ``"|" + link`` appended; if that is still taken,
    ``"|" + position`` (the entry's index in the document) as well.
    """
    seen: set[str] = set()
    out: list[EntryData] = []
    for position, entry in enumerate(entries):
        entry_id = entry.id
        if entry_id in seen:
            entry_id = f"{entry_id}|{entry.link or ''}"
            if entry_id in seen:
                entry_id = f"{entry_id}|{position}"
            entry = dataclasses.replace(entry, id=entry_id)
        seen.add(entry_id)
        out.append(entry)
    return tuple(out)
