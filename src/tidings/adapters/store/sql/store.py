"""The Store protocol in SQL both engines run: the domain mixins put together,
with the feeds, subscriptions and the refresh's write (``SqlStore``). An engine
adds its connections (``SqlDb``) and its full-text search."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tidings.adapters.store.sql import queries as _sql
from tidings.adapters.store.sql.accounts import SqlAccounts
from tidings.adapters.store.sql.db import Conn, SqlDb
from tidings.adapters.store.sql.icons import SqlIcons
from tidings.adapters.store.sql.jobs import SqlJobs
from tidings.adapters.store.sql.playback import SqlPlayback
from tidings.adapters.store.sql.publishing import SqlPublishing
from tidings.adapters.store.sql.reading import SqlReading
from tidings.adapters.store.sql.retention import SqlRetention
from tidings.adapters.store.sql.rows import (
    entry_params,
    feed_from_row,
    feed_state_from_row,
    from_ts,
    to_ts,
)
from tidings.adapters.store.sql.rules import SqlRules
from tidings.adapters.store.sql.searches import SqlSavedSearches
from tidings.adapters.store.sql.stories import SqlStories
from tidings.adapters.store.sql.sync import SqlSync
from tidings.adapters.store.sql.websub import SqlWebSub
from tidings.core.dedupe import DELETED
from tidings.core.urls import host_of
from tidings.errors import NotFoundError, StorageError
from tidings.model import (
    EntryUpdate,
    Feed,
    FeedId,
    FeedState,
    FeedUpdate,
    FullTextMode,
    UserId,
)


class SqlStore(
    SqlAccounts,
    SqlReading,
    SqlSync,
    SqlStories,
    SqlRules,
    SqlWebSub,
    SqlIcons,
    SqlPublishing,
    SqlPlayback,
    SqlSavedSearches,
    SqlJobs,
    SqlRetention,
    SqlDb,
):
    """The Store's shared SQL; ``sqlite.SqliteStore`` runs it on one SQLite file."""

    # users

    def ensure_user(self, name: str, *, is_admin: bool = False) -> UserId:
        with self._write() as conn:
            row = conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row:
                return UserId(row[0])
            row = conn.execute(
                "INSERT INTO users (name, is_admin, created_at) VALUES (?, ?, ?) RETURNING id",
                (name, int(is_admin), to_ts(datetime.now(UTC))),
            ).fetchone()
            return UserId(row[0])

    # feeds and subscriptions

    def _category_id(self, conn: Conn, user_id: UserId, name: str | None) -> int | None:
        if not name:
            return None
        conn.execute(
            "INSERT INTO categories (user_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (user_id, name),
        )
        row = conn.execute(
            "SELECT id FROM categories WHERE user_id = ? AND name = ?", (user_id, name)
        ).fetchone()
        return int(row[0])

    def add_feed(
        self,
        user_id: UserId,
        url: str,
        *,
        category: str | None,
        now: datetime,
        full_text: FullTextMode = FullTextMode.AUTO,
        due_at: datetime | None = None,
    ) -> FeedState:
        ts = to_ts(now)
        due = ts if due_at is None else to_ts(due_at)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO feeds (url, host, next_check_at, created_at, full_text) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
                (url, host_of(url), due, ts, full_text.value),
            )
            feed_id = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0]
            category_id = self._category_id(conn, user_id, category)
            conn.execute(
                "INSERT INTO subscriptions (user_id, feed_id, category_id, created_at, full_text) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, feed_id) DO UPDATE SET "
                "category_id = COALESCE(excluded.category_id, subscriptions.category_id), "
                # followed again: its entries come back into the list now (`ot`, `ts`)
                "created_at = CASE WHEN subscriptions.unsubscribed_at IS NULL "
                "THEN subscriptions.created_at ELSE excluded.created_at END, "
                "unsubscribed_at = NULL",
                (user_id, feed_id, category_id, ts, full_text.value),
            )
            conn.execute(_sql.RESOLVE_FEED, {"feed_id": feed_id})
        return self.get_feed_state(FeedId(feed_id))

    def remove_feed(self, user_id: UserId, url: str) -> None:
        with self._write() as conn:
            row = conn.execute(
                "SELECT f.id FROM feeds f JOIN subscriptions s ON s.feed_id = f.id "
                "WHERE f.url = ? AND s.user_id = ? AND s.unsubscribed_at IS NULL",
                (url, user_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"not subscribed: {url}")
            now = to_ts(datetime.now(UTC)) or 0
            params = {"user_id": user_id, "feed_id": row[0], "now": now}
            before = conn.execute(
                "SELECT id, first_seen_at FROM entries WHERE feed_id = ?", (row[0],)
            ).fetchall()
            for statement in _sql.UNSUBSCRIBE:
                conn.execute(statement, params)
            if before:  # nobody follows it now: its entries went, but for starred or tagged ones
                self._forget_deleted_entries(conn, before, None)

    def get_feeds(self, user_id: UserId) -> list[Feed]:
        rows = self._read(_sql.USER_FEEDS, {"user_id": user_id})
        return [feed_from_row(r) for r in rows]

    def get_feed_state(self, feed_id: FeedId) -> FeedState:
        rows = self._read(_sql.FEED_BY + " WHERE f.id = ?", (feed_id,))
        if not rows:
            raise NotFoundError(f"no feed {feed_id}")
        return feed_state_from_row(rows[0])

    def get_feed_state_by_url(self, url: str) -> FeedState:
        rows = self._read(_sql.FEED_BY + " WHERE f.url = ?", (url,))
        if not rows:
            raise NotFoundError(f"no feed {url}")
        return feed_state_from_row(rows[0])

    def get_due_feeds(self, now: datetime, limit: int | None = None) -> list[FeedState]:
        sql = _sql.DUE_FEEDS + (" LIMIT :limit" if limit else "")
        rows = self._read(sql, {"now": to_ts(now), "limit": limit})
        return [feed_state_from_row(r) for r in rows]

    def count_due_feeds(self, now: datetime) -> int:
        rows = self._read(f"SELECT COUNT(*) FROM ({_sql.DUE_FEEDS}) AS due", {"now": to_ts(now)})
        return int(rows[0][0])

    def get_next_check_at(self) -> datetime | None:
        rows = self._read(
            "SELECT f.next_check_at FROM feeds f WHERE f.disabled = 0 AND EXISTS "
            "(SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL) "
            "ORDER BY f.next_check_at LIMIT 1"
        )
        return from_ts(rows[0][0]) if rows else None

    def get_all_feeds(self) -> list[FeedState]:
        return [feed_state_from_row(r) for r in self._read(_sql.ALL_FEEDS)]

    def set_feed_options(
        self,
        feed_id: FeedId,
        *,
        full_text: str | None = None,
        interval_override: int | None = None,
        next_check_at: datetime | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE feeds SET full_text = COALESCE(?, full_text), "
                "interval_override = COALESCE(?, interval_override), "
                "next_check_at = COALESCE(?, next_check_at) WHERE id = ?",
                (full_text, interval_override, to_ts(next_check_at), feed_id),
            )

    # refresh

    def get_entry_hashes(self, feed_id: FeedId) -> dict[str, str]:
        rows = self._read(
            "SELECT guid, content_hash, 0 FROM entries WHERE feed_id = :feed_id UNION ALL "
            "SELECT guid, '', 1 FROM entry_tombstones WHERE feed_id = :feed_id",
            {"feed_id": feed_id},
        )
        hashes = {r[0]: DELETED for r in rows if r[2]}  # deleted, still in the feed (#15)
        hashes.update((r[0], r[1]) for r in rows if not r[2])
        return hashes

    def apply_refresh(self, update: FeedUpdate, entries: Sequence[EntryUpdate]) -> None:
        error = self.apply_refreshes([(update, entries)])[0]
        if error is not None:
            raise error

    def apply_refreshes(
        self, batch: Sequence[tuple[FeedUpdate, Sequence[EntryUpdate]]]
    ) -> list[StorageError | None]:
        """Many feeds in one transaction; a savepoint keeps each feed whole (see ``Store``).

        The group is written under one savepoint first, in one pipeline where the
        engine has one (#13: on PostgreSQL only the reads of the story step wait for
        the server; a group of 304s is one round trip). Should a feed fail, the group
        is rolled back to it and written again a savepoint a feed, so that feed
        alone fails."""
        with self._write() as conn:
            try:
                with self._pipeline(conn):
                    self._lock_story_keys(conn, batch)
                    conn.execute("SAVEPOINT feeds")
                    for update, entries in batch:
                        self._write_refresh(conn, update, entries)
                    conn.execute("RELEASE feeds")
                return [None] * len(batch)
            except self.driver_error as exc:
                try:
                    conn.execute("ROLLBACK TO feeds")
                    conn.execute("RELEASE feeds")
                except self.driver_error:
                    # the engine already rolled the whole transaction back (disk full,
                    # I/O error), or the story keys were not taken: the group failed,
                    # with the first error (#11)
                    raise exc from None
            return self._write_each(conn, batch)

    def _write_each(
        self, conn: Conn, batch: Sequence[tuple[FeedUpdate, Sequence[EntryUpdate]]]
    ) -> list[StorageError | None]:
        """The group again, a savepoint a feed: each feed's error, or None."""
        errors: list[StorageError | None] = []
        for update, entries in batch:
            conn.execute("SAVEPOINT feed")
            try:
                with self._pipeline(conn):
                    self._write_refresh(conn, update, entries)
            except self.driver_error as exc:
                try:
                    conn.execute("ROLLBACK TO feed")
                except self.driver_error:
                    raise exc from None  # as above: the whole group failed
                errors.append(self._error(exc))
            else:
                errors.append(None)
            conn.execute("RELEASE feed")
        return errors

    def _upsert_entries(
        self, conn: Conn, update: FeedUpdate, entries: Sequence[EntryUpdate]
    ) -> None:
        """Insert the feed's entries, or update those it has (by guid)."""
        conn.executemany(
            _sql.UPSERT_ENTRY,
            [
                entry_params(update.feed_id, e.data, e.content_hash, update.fetched_at)
                for e in entries
            ],
        )

    def _write_refresh(
        self, conn: Conn, update: FeedUpdate, entries: Sequence[EntryUpdate]
    ) -> None:
        """One feed's result (inside the caller's pipeline, where the engine has one).
        A guid twice in one result keeps its last copy: the statements that write a
        feed's entries at once (PostgreSQL) may not touch a row twice."""
        entries = list({e.data.id: e for e in entries}.values())
        if entries:
            self._upsert_entries(conn, update, entries)
            self._index_entries(conn, update.feed_id, entries)
            self._apply_stories(conn, update, entries)
        if update.forget:
            conn.execute(
                "DELETE FROM entry_tombstones WHERE feed_id = :feed_id AND guid IN "
                f"({self.dialect.text_list.format(param=':guids')})",
                {"feed_id": update.feed_id, "guids": json.dumps(list(update.forget))},
            )
        sql = _sql.UPDATE_FEED_OK if update.error is None else _sql.UPDATE_FEED_ERROR
        conn.execute(sql, _feed_update_params(update))


def _feed_update_params(update: FeedUpdate) -> dict[str, Any]:
    caching = update.caching
    return {
        "feed_id": update.feed_id,
        "fetched_at": to_ts(update.fetched_at),
        "next_check_at": to_ts(update.next_check_at),
        "url": update.url,
        "host": None if update.url is None else host_of(update.url),
        "title": update.title,
        "link": update.link,
        "description": update.description,
        "language": update.language,
        "icon": update.icon,
        "hub": update.hub,
        "etag": caching.etag if caching else None,
        "last_modified": caching.last_modified if caching else None,
        "error": update.error,
        "disabled": int(update.disabled),
        "entries_per_week": update.entries_per_week,
        "lease_owner": update.lease_owner,
    }
