"""Stories (issue #5): the reading half.

Entries as a user sees them get their story: the extracted article instead of
the teaser, metadata, source and section, the user's tags and category, and
the other copies of the same story in feeds the user follows. A river listing
shows each story once (``ONE_STORY_ONCE``): a copy is left out when another
copy the user can see ranks higher (more words, then older). Entries a user's
rule dropped are hidden from that user's listings only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from tidings.adapters.store.sql.db import SqlDb
from tidings.content.source import shown_source
from tidings.model import Duplicate, Entry, EntryFilter, EntryId, UserId

#: Appended to a listing's WHERE (joins as in ``_sql.USER_ENTRIES``).
ONE_STORY_ONCE = """NOT EXISTS (
    SELECT 1 FROM entries d
    JOIN subscriptions ds ON ds.feed_id = d.feed_id AND ds.user_id = :user_id
        AND ds.unsubscribed_at IS NULL
    LEFT JOIN entry_states dst ON dst.entry_id = d.id AND dst.user_id = :user_id
    WHERE d.cluster_id = e.cluster_id AND d.id != e.id AND (dst.hidden IS NULL OR dst.hidden = 0)
      AND (d.word_count > e.word_count OR (d.word_count = e.word_count AND d.id < e.id)))"""

STORY_ROWS = """
SELECT e.id, e.full_content, e.lead, e.word_count, e.reading_minutes, e.main_image,
       e.language, e.section, e.cluster_id, f.title AS feed_title, f.link AS feed_link,
       s.title AS custom_title, st.category AS category_override,
       s.full_text AS shown_full_text
FROM entries e
JOIN subscriptions s ON s.feed_id = e.feed_id AND s.user_id = :user_id
JOIN feeds f ON f.id = e.feed_id
LEFT JOIN entry_states st ON st.entry_id = e.id AND st.user_id = :user_id
WHERE e.id IN ({ids})
"""

COPIES = """
SELECT d.id, d.cluster_id, COALESCE(s.title, f.title, f.url) AS feed_title, d.link
FROM entries d
JOIN subscriptions s ON s.feed_id = d.feed_id AND s.user_id = :user_id
    AND s.unsubscribed_at IS NULL
JOIN feeds f ON f.id = d.feed_id
LEFT JOIN entry_states st ON st.entry_id = d.id AND st.user_id = :user_id
WHERE d.cluster_id IN ({ids}) AND (st.hidden IS NULL OR st.hidden = 0)
ORDER BY d.word_count DESC, d.id
"""


def story_where(where: str, filter: EntryFilter) -> str:
    """A listing's WHERE with each story once (unless listing one feed)."""
    if filter.feed_url or filter.feed_id is not None:
        return where
    return (where + " AND " if where else " WHERE ") + ONE_STORY_ONCE


def _in(prefix: str, values: Sequence[int]) -> tuple[str, dict[str, int]]:
    names = [f"{prefix}{i}" for i in range(len(values))]
    return ",".join(f":{n}" for n in names), dict(zip(names, values, strict=True))


class SqlStoryReading(SqlDb):
    """Entries with their stories, as one user sees them."""

    def _with_stories(self, user_id: UserId, entries: Sequence[Entry]) -> list[Entry]:
        out: list[Entry] = []
        for start in range(0, len(entries), 500):
            out.extend(self._with_stories_chunk(user_id, entries[start : start + 500]))
        return out

    def _with_stories_chunk(self, user_id: UserId, entries: Sequence[Entry]) -> list[Entry]:
        ids = [int(e.id) for e in entries]
        marks, params = _in("i", ids)
        params["user_id"] = user_id
        rows = {r["id"]: r for r in self._read(STORY_ROWS.format(ids=marks), params)}
        tags = self._tags(user_id, ids)
        clusters = sorted({r["cluster_id"] for r in rows.values() if r["cluster_id"] is not None})
        copies = self._copies(user_id, clusters)
        out = []
        for entry in entries:
            row = rows.get(entry.id)
            if row is None:
                out.append(entry)
                continue
            others = tuple(d for d in copies.get(row["cluster_id"], ()) if d.id != entry.id)
            out.append(_decorate(entry, row, tags.get(entry.id, ()), others))
        return out

    def _tags(self, user_id: UserId, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        marks, params = _in("i", ids)
        params["user_id"] = user_id
        found: dict[int, list[str]] = {}
        for r in self._read(
            f"SELECT entry_id, tag FROM entry_tags WHERE user_id = :user_id "
            f"AND entry_id IN ({marks}) ORDER BY tag",
            params,
        ):
            found.setdefault(r[0], []).append(r[1])
        return {k: tuple(v) for k, v in found.items()}

    def _copies(self, user_id: UserId, clusters: Sequence[int]) -> dict[int, list[Duplicate]]:
        if not clusters:
            return {}
        marks, params = _in("c", clusters)
        params["user_id"] = user_id
        found: dict[int, list[Duplicate]] = {}
        for r in self._read(COPIES.format(ids=marks), params):
            found.setdefault(r["cluster_id"], []).append(
                Duplicate(EntryId(r["id"]), r["feed_title"], r["link"])
            )
        return found


def _decorate(
    entry: Entry, row: Any, tags: tuple[str, ...], others: tuple[Duplicate, ...]
) -> Entry:
    category, source, section = shown_source(
        entry,
        feed_title=row["feed_title"],
        feed_link=row["feed_link"],
        custom_title=row["custom_title"],
        category_override=row["category_override"],
        story_section=row["section"],
    )
    # a reader who chose "never" sees the feed's own text, whatever others fetch (#11)
    full = None if row["shown_full_text"] == "never" else row["full_content"]
    return dataclasses.replace(
        entry,
        content=full or entry.content,
        full_text=full is not None,
        category=category,
        lead=row["lead"],
        word_count=row["word_count"],
        reading_minutes=row["reading_minutes"],
        main_image=row["main_image"],
        language=row["language"],
        source=source,
        section=section,
        tags=tags,
        cluster_id=row["cluster_id"],
        duplicates=others,
    )
