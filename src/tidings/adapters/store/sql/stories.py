"""Stories (issue #5): the refresh half.

``_apply_stories`` runs inside ``apply_refresh``'s transaction, after the
entries are upserted: it writes each entry's story, puts a new entry into its
story cluster, and records the subscribers' rule outcomes. Clustering happens
here, under the single writer, so two feeds refreshed at once cannot both miss
each other's copy of a story. ``get_story_context`` loads what the enrich step
needs first (options, rules, the page cache), so that step decides without
reaching into storage mid-loop.

On PostgreSQL several workers write at once: a write first locks the row of
every story key its new entries carry (``Dialect.story_lock``: an upsert into
``story_key_turns``), all at once and in key order, so two copies of one story
written at the same moment take turns (the second sees the first's keys) and no
two writes deadlock on them. Advisory locks would do the same but overflow the
server's lock table (a group of 32 feeds carries ~10,000 keys); serializable
retries would throw whole refreshes' work away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from tidings.adapters.store.sql.db import Conn, SqlDb
from tidings.adapters.store.sql.rows import to_ts
from tidings.content.cluster import KeyHit, StoryPrint, choose_cluster, comparable, story_keys
from tidings.content.fingerprint import minhash_from_bytes, minhash_to_bytes
from tidings.content.text import html_to_text
from tidings.errors import NotFoundError
from tidings.model import (
    Article,
    EntryUpdate,
    FeedId,
    FeedUpdate,
    Rule,
    RuleAction,
    RuleField,
    RuleOutcome,
    StoryContext,
    StoryData,
    StoryOptions,
    UserId,
)

#: Copies are looked for among entries seen this recently (seconds).
CLUSTER_WINDOW = 7 * 86400
PRUNE_EVERY = 3600  # seconds between two prunings of old story keys, per process
_MAX_IN = 500

STORE_NEW = """
UPDATE entries SET full_content = :full_content, lead = :lead, word_count = :word_count,
    reading_minutes = :reading_minutes, main_image = :main_image, language = :language,
    section = :section, canonical_url = :canonical_url, minhash = :minhash,
    cluster_id = :cluster_id
WHERE id = :id
"""

# A changed entry keeps its extracted article and the figures taken from it.
STORE_CHANGED = """
UPDATE entries SET language = COALESCE(:language, language), section = :section,
    canonical_url = COALESCE(canonical_url, :canonical_url),
    main_image = COALESCE(:main_image, main_image),
    lead = CASE WHEN full_content IS NULL THEN :lead ELSE lead END,
    word_count = CASE WHEN full_content IS NULL THEN :word_count ELSE word_count END,
    reading_minutes = CASE WHEN full_content IS NULL THEN :reading_minutes
                           ELSE reading_minutes END
WHERE id = :id
"""

CANDIDATES = """
SELECT k.key, e.id, e.feed_id, e.cluster_id, e.canonical_url, e.minhash
FROM story_keys k JOIN entries e ON e.id = k.entry_id
WHERE k.key IN ({keys}) AND k.seen_at >= ?
  AND e.first_seen_at <= k.seen_at  -- not an id used again after a delete (migration 0005)
"""

RULE_COLUMNS = (
    "r.id, r.user_id, r.feed_id, r.field, r.pattern, r.keep, r.action, r.value, f.url AS feed_url"
)

OUTCOME_STATE = """
INSERT INTO entry_states (user_id, entry_id, read, starred, read_at, starred_at, hidden, category)
VALUES (:user_id, :entry_id, :read, :starred, CASE WHEN :read = 1 THEN :now END,
        CASE WHEN :starred = 1 THEN :now END, :hidden, :category)
ON CONFLICT (user_id, entry_id) DO NOTHING
"""


def rule_from_row(row: Any) -> Rule:
    return Rule(
        field=RuleField(row["field"]),
        pattern=row["pattern"],
        action=RuleAction(row["action"]),
        value=row["value"],
        keep=bool(row["keep"]),
        feed_id=FeedId(row["feed_id"]) if row["feed_id"] is not None else None,
        feed_url=row["feed_url"],
        user_id=UserId(row["user_id"]),
        id=row["id"],
    )


def _chunks(items: Sequence[Any], size: int = _MAX_IN) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlStories(SqlDb):
    """Story columns, clusters and rule outcomes on the refresh path."""

    _story_keys_pruned_at: int | None = None

    # before the enrich step

    def get_story_context(self, feed_id: FeedId, urls: Sequence[str]) -> StoryContext:
        rules = self._read(
            f"SELECT {RULE_COLUMNS} FROM rules r "
            "JOIN subscriptions s ON s.user_id = r.user_id AND s.feed_id = :feed_id "
            "AND s.unsubscribed_at IS NULL "
            "LEFT JOIN feeds f ON f.id = r.feed_id "
            "WHERE r.feed_id IS NULL OR r.feed_id = :feed_id ORDER BY r.id",
            {"feed_id": feed_id},
        )
        return StoryContext(
            options=self.get_story_options(feed_id),
            rules=tuple(rule_from_row(r) for r in rules),
            articles=self._cached_articles(urls),
        )

    def _cached_articles(self, urls: Sequence[str]) -> dict[str, Article]:
        found: dict[str, Article] = {}
        for chunk in _chunks(sorted(set(urls))):
            rows = self._read(
                "SELECT canonical_url, full_content, word_count, main_image, language "
                f"FROM entries WHERE canonical_url IN ({','.join('?' * len(chunk))}) "
                "AND full_content IS NOT NULL ORDER BY id",
                list(chunk),
            )
            for r in rows:
                found.setdefault(
                    r[0],
                    Article(r["full_content"], r["word_count"], r["main_image"], r["language"]),
                )
        return found

    def get_story_options(self, feed_id: FeedId) -> StoryOptions:
        rows = self._read(
            "SELECT body_selector, remove_selectors FROM feed_story_options WHERE feed_id = ?",
            (feed_id,),
        )
        if not rows:
            return StoryOptions()
        remove = tuple(str(s) for s in json.loads(rows[0]["remove_selectors"] or "[]"))
        return StoryOptions(body_selector=rows[0]["body_selector"], remove_selectors=remove)

    def set_story_options(self, feed_id: FeedId, options: StoryOptions) -> None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                raise NotFoundError(f"no feed {feed_id}")
            conn.execute(
                "INSERT INTO feed_story_options (feed_id, body_selector, remove_selectors) "
                "VALUES (?, ?, ?) ON CONFLICT (feed_id) DO UPDATE SET "
                "body_selector = excluded.body_selector, "
                "remove_selectors = excluded.remove_selectors",
                (feed_id, options.body_selector, json.dumps(list(options.remove_selectors))),
            )

    # inside apply_refresh's transaction

    def _lock_story_keys(
        self, conn: Conn, batch: Sequence[tuple[FeedUpdate, Sequence[EntryUpdate]]]
    ) -> None:
        """Take the story keys of the batch's new entries, in order (see the module)."""
        if not self.dialect.story_lock:
            return
        keys = sorted(
            {
                key
                for _, entries in batch
                for e in entries
                if e.is_new and e.story is not None
                for key in _keys(e.story)
            }
        )
        if keys:
            sql = self.dialect.story_lock.format(keys=self.dialect.id_list.format(param=":keys"))
            now = max(to_ts(update.fetched_at) or 0 for update, _ in batch)
            conn.execute(sql, {"keys": json.dumps(keys), "now": now})

    def _apply_stories(
        self, conn: Conn, update: FeedUpdate, entries: Sequence[EntryUpdate]
    ) -> None:
        """The changed entries' story columns, the new entries' clusters
        (``_choose_clusters``), their story columns with the cluster (one
        ``executemany`` each), then their keys. Inside ``_pipeline``
        (PostgreSQL) only the reads wait for the server, twice a feed; the
        other statements travel with them (#13)."""
        now = to_ts(update.fetched_at) or 0
        stories = [e for e in entries if e.story is not None]
        if not stories:
            return
        if any(e.is_new for e in stories):
            self._prune_story_keys(conn, now)
        ids = self._entry_ids(conn, update.feed_id, [e.data.id for e in stories])
        new: list[tuple[int, StoryData]] = []
        changed: list[tuple[int, StoryData]] = []
        for e in stories:
            entry_id = ids.get(e.data.id)
            if entry_id is not None and e.story is not None:
                (new if e.is_new else changed).append((entry_id, e.story))
        if changed:
            conn.executemany(STORE_CHANGED, [_story_params(i, s) for i, s in changed])
        clusters = self._choose_clusters(conn, update.feed_id, new, now)
        if new:  # one UPDATE an entry: the story and its cluster (a row version, not two)
            conn.executemany(
                STORE_NEW,
                [_story_params(i, s) | {"cluster_id": clusters[i]} for i, s in new],
            )
        self._store_keys(conn, [(entry_id, _keys(story)) for entry_id, story in new], now)
        for entry_id, story in new:
            self._record_outcomes(conn, entry_id, story.outcomes, now)
            if story.full_content:
                conn.execute(
                    "UPDATE entry_search SET body = ? WHERE id = ?",
                    (html_to_text(story.full_content), entry_id),
                )

    def _entry_ids(self, conn: Conn, feed_id: FeedId, guids: Sequence[str]) -> dict[str, int]:
        """The ids of a feed's entries by guid: one query per ``_MAX_IN`` guids."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(set(guids))):
            rows = conn.execute(
                f"SELECT guid, id FROM entries WHERE feed_id = ? "
                f"AND guid IN ({','.join('?' * len(chunk))})",
                [feed_id, *chunk],
            ).fetchall()
            found.update((r[0], int(r[1])) for r in rows)
        return found

    def _choose_clusters(
        self, conn: Conn, feed_id: FeedId, new: Sequence[tuple[int, StoryData]], now: int
    ) -> dict[int, int]:
        """Each new entry's cluster, in order, from one query for the stored entries
        under all their keys: an entry earlier in ``new`` is a candidate of the later
        ones under the keys they share, as if its keys were stored already (so copies
        within one refresh find each other, as they did one query an entry)."""
        keyed = [(entry_id, story, _keys(story)) for entry_id, story in new]
        stored: dict[int, list[KeyHit]] = {}
        sql = (self.dialect.candidates or CANDIDATES).format(
            keys=self.dialect.id_list.format(param="?")
        )
        for chunk in _chunks(sorted({k for _, _, keys in keyed for k in keys})):
            rows = conn.execute(sql, [json.dumps(list(chunk)), now - CLUSTER_WINDOW]).fetchall()
            for r in rows:
                hit = KeyHit(r[0], r[1], r[2], r[3], minhash_from_bytes(r[5]))
                stored.setdefault(hit.key, []).append(hit)
        earlier: dict[int, list[KeyHit]] = {}
        clusters: dict[int, int] = {}
        for entry_id, story, keys in keyed:
            me = StoryPrint(
                entry_id,
                feed_id,
                None,
                story.canonical_url,
                story.text_key,
                story.lead_key,
                story.minhash,
            )
            hits = [
                h
                for k in keys
                for h in (*stored.get(k, ()), *earlier.get(k, ()))
                if h.entry_id != entry_id
            ]
            cluster = (choose_cluster(*comparable(me, hits)) or entry_id) if keys else entry_id
            clusters[entry_id] = cluster
            # as a stored entry reads back: its minhash through the column's bytes
            minhash = minhash_from_bytes(minhash_to_bytes(story.minhash)) if story.minhash else None
            for k in keys:
                earlier.setdefault(k, []).append(KeyHit(k, entry_id, feed_id, cluster, minhash))
        return clusters

    def _store_keys(self, conn: Conn, keyed: Sequence[tuple[int, list[int]]], now: int) -> None:
        """Store new entries' keys (``(entry id, keys)``), under which their copies will
        find them: one statement for the feed's new entries, not one an entry (~24 keys
        a story; #13)."""
        pairs = [[key, entry_id] for entry_id, keys in keyed for key in keys]
        if pairs:
            conn.execute(
                "INSERT INTO story_keys (key, entry_id, seen_at) SELECT k.*, :now "
                f"FROM ({self.dialect.pair_list.format(param=':pairs')}) AS k",
                {"pairs": json.dumps(pairs), "now": now},
            )

    def _prune_story_keys(self, conn: Conn, now: int) -> None:
        """Forget keys older than the window: a scan of the log, so once an hour."""
        last = self._story_keys_pruned_at
        if last is not None and 0 <= now - last < PRUNE_EVERY:
            return
        conn.execute("DELETE FROM story_keys WHERE seen_at < ?", (now - CLUSTER_WINDOW,))
        conn.execute("DELETE FROM story_key_turns WHERE seen_at < ?", (now - CLUSTER_WINDOW,))
        self._story_keys_pruned_at = now

    def _record_outcomes(
        self, conn: Conn, entry_id: int, outcomes: Sequence[RuleOutcome], now: int
    ) -> None:
        for o in outcomes:
            conn.execute(
                OUTCOME_STATE,
                {
                    "user_id": o.user_id,
                    "entry_id": entry_id,
                    "read": int(o.read or o.hidden),  # a dropped entry is not unread
                    "starred": int(o.starred),
                    "hidden": int(o.hidden),
                    "category": o.category,
                    "now": now,
                },
            )
            conn.executemany(
                "INSERT INTO entry_tags (user_id, entry_id, tag) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(o.user_id, entry_id, tag) for tag in o.tags],
            )


def _keys(story: StoryData) -> list[int]:
    """The story's keys: computed by the story step, or from its parts."""
    if story.keys is not None:
        return list(story.keys)
    return list(story_keys(story.canonical_url, story.text_key, story.lead_key, story.minhash))


def _story_params(entry_id: int, story: StoryData) -> dict[str, Any]:
    return {
        "id": entry_id,
        "full_content": story.full_content,
        "lead": story.lead,
        "word_count": story.word_count,
        "reading_minutes": story.reading_minutes,
        "main_image": story.main_image,
        "language": story.language,
        "section": story.section,
        "canonical_url": story.canonical_url,
        "minhash": minhash_to_bytes(story.minhash) if story.minhash else None,
    }
