"""Retention (#15): which old entries the cleanup deletes, and what it deleted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Retention:
    """How long entries are kept; 0 days: kept for ever.

    An entry read by every subscriber of its feed goes ``read_days`` after Tidings
    first stored it, any other ``unread_days`` after; never one that anybody
    starred or tagged, nor one of the ``keep_per_feed`` newest of its feed (by the
    feed's own order: date, then id).
    """

    read_days: int = 60
    unread_days: int = 180
    keep_per_feed: int = 50

    @property
    def keeps_everything(self) -> bool:
        return self.read_days <= 0 and self.unread_days <= 0


@dataclass(frozen=True, slots=True)
class CleanupCounts:
    """What a cleanup deleted (or, in a dry run, would delete): entries, and with
    them their search rows and story keys; ``tombstones`` are the guids kept so that
    a deleted entry still in its feed is not stored again."""

    entries: int = 0
    read: int = 0  # of the entries, those every subscriber had read
    search_rows: int = 0
    story_keys: int = 0
    tombstones: int = 0

    def __add__(self, other: CleanupCounts) -> CleanupCounts:
        return CleanupCounts(
            self.entries + other.entries,
            self.read + other.read,
            self.search_rows + other.search_rows,
            self.story_keys + other.story_keys,
            self.tombstones + other.tombstones,
        )
