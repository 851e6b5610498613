"""Playback positions (issue #15; migration 0014): where a user stopped an entry's
audio or video, kept per user and entry as Miniflux does, restored on the story page.

Scoped like reading: only an entry the user may see has a position to set or get.
"""

from __future__ import annotations

import math
from datetime import datetime

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.db import SqlDb
from tidings.adapters.store.sql.rows import to_ts
from tidings.errors import NotFoundError
from tidings.model import EntryId, UserId

#: A position past this (a week of playing) is no position: a bad or hostile value.
MAX_POSITION_SECONDS = 7 * 24 * 3600

SET_POSITION = f"""
INSERT INTO playback_positions (user_id, entry_id, position_ms, updated_at)
SELECT :user_id, e.id, :position_ms, :now
{_sql.USER_ENTRY_JOINS}
WHERE e.id = :entry_id AND {_sql.VISIBLE}
ON CONFLICT (user_id, entry_id) DO UPDATE SET
    position_ms = excluded.position_ms, updated_at = excluded.updated_at
"""

GET_POSITION = f"""
SELECT p.position_ms
{_sql.USER_ENTRY_JOINS}
JOIN playback_positions p ON p.entry_id = e.id AND p.user_id = :user_id
WHERE e.id = :entry_id AND {_sql.VISIBLE}
"""


class SqlPlayback(SqlDb):
    """The playback half of the Store protocol (see ``tidings.ports.PlaybackStore``)."""

    def get_playback_position(self, user_id: UserId, entry_id: EntryId) -> float | None:
        rows = self._read(GET_POSITION, {"user_id": user_id, "entry_id": entry_id})
        return rows[0][0] / 1000 if rows else None

    def set_playback_position(
        self, user_id: UserId, entry_id: EntryId, seconds: float, *, now: datetime
    ) -> None:
        if not (math.isfinite(seconds) and 0 <= seconds <= MAX_POSITION_SECONDS):
            raise ValueError(f"not a playback position: {seconds!r}")
        params = {
            "user_id": user_id,
            "entry_id": entry_id,
            "position_ms": round(seconds * 1000),
            "now": to_ts(now),
        }
        with self._write() as conn:
            if conn.execute(SET_POSITION, params).rowcount == 0:
                raise NotFoundError(f"no entry {entry_id}")
