"""Identifiers of stored rows."""

from __future__ import annotations

from typing import NewType

FeedId = NewType("FeedId", int)
EntryId = NewType("EntryId", int)
UserId = NewType("UserId", int)
