"""Which parsed entries are new, which changed, which we already have."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tidings.model import Enclosure, EntryData, EntryUpdate

_SEP = "\x1f"

#: The hash the store gives the guid of an entry the cleanup deleted (a tombstone,
#: #15): still in the document, it is neither new nor changed; gone from it, the
#: tombstone may go (``RefreshPlan.forgotten``).
DELETED = "-"


def content_hash(entry: EntryData) -> str:
    """A digest of everything stored about an entry (changes mean "changed")."""
    parts = [
        entry.title or "",
        entry.link or "",
        entry.author or "",
        entry.published.isoformat() if entry.published else "",
        entry.updated.isoformat() if entry.updated else "",
        entry.summary or "",
        entry.content or "",
        _SEP.join(entry.categories),
        _SEP.join(_enclosure(e) for e in entry.enclosures),
        entry.image or "",
        entry.comments or "",
    ]
    return hashlib.blake2b(_SEP.join(parts).encode("utf-8", "replace"), digest_size=16).hexdigest()


def _enclosure(e: Enclosure) -> str:
    # the duration (#15) only when known: an entry without one hashes as before it
    text = f"{e.url} {e.type} {e.length}"
    return text if e.duration is None else f"{text} {e.duration}"


@dataclass(frozen=True, slots=True)
class RefreshPlan:
    new: tuple[EntryUpdate, ...]
    changed: tuple[EntryUpdate, ...]
    unchanged: int
    forgotten: tuple[str, ...] = ()  # deleted entries' guids the document no longer has

    @property
    def updates(self) -> tuple[EntryUpdate, ...]:
        return self.new + self.changed


def plan(known: Mapping[str, str], entries: Sequence[EntryData]) -> RefreshPlan:
    """Compare parsed entries with the stored ``guid -> hash`` map.

    Entries are matched by id only; an id seen twice in one document keeps its
    first occurrence (the parser already disambiguates real duplicates). A guid
    known as ``DELETED`` stays deleted (counted as unchanged); the deleted guids
    the document does not carry are ``forgotten``.
    """
    new: list[EntryUpdate] = []
    changed: list[EntryUpdate] = []
    unchanged = 0
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            continue
        seen.add(entry.id)
        digest = content_hash(entry)
        old = known.get(entry.id)
        if old == DELETED:
            unchanged += 1
        elif old is None:
            new.append(EntryUpdate(entry, digest, is_new=True))
        elif old != digest:
            changed.append(EntryUpdate(entry, digest, is_new=False))
        else:
            unchanged += 1
    forgotten = tuple(sorted(g for g, h in known.items() if h == DELETED and g not in seen))
    return RefreshPlan(tuple(new), tuple(changed), unchanged, forgotten)
