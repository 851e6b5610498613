"""SQL shared by the SQLite and PostgreSQL engines.

Queries use ``:name`` parameters; the PostgreSQL engine rewrites them to
``%(name)s``. What differs between dialects is named in ``dialect.py``.
"""

from __future__ import annotations

import re

FEED_COLUMNS = (
    "f.id, f.url, f.title, f.link, f.description, f.etag, f.last_modified, "
    "f.last_fetched_at, f.last_success_at, f.last_error, f.error_count, f.next_check_at, "
    "f.interval_override, f.disabled, f.full_text, f.hub, f.entries_per_week, f.lease_owner"
)

ENTRY_COLUMNS = (
    "e.id, e.feed_id, e.guid, e.title, e.link, e.author, e.published_at, e.updated_at, "
    "e.summary, e.content, e.categories, e.enclosures, e.image, e.comments, e.first_seen_at, "
    "e.sort_at"
)

#: A subscription (``s``) that is followed, not a former one kept for its entries (#11).
FOLLOWING = "s.unsubscribed_at IS NULL"

#: An entry (``e``, with ``s`` and the user's ``st``) the user may see: one of a feed
#: they follow, or one they starred or tagged in a feed they no longer follow (#11).
VISIBLE = (
    "(s.unsubscribed_at IS NULL OR st.starred = 1 OR EXISTS "
    "(SELECT 1 FROM entry_tags t WHERE t.user_id = :user_id AND t.entry_id = e.id))"
)

#: A feed as one subscriber sees it: their own full-text mode and interval (#11).
USER_FEED_COLUMNS = FEED_COLUMNS.replace(
    "f.interval_override, f.disabled, f.full_text",
    "s.interval_override, f.disabled, COALESCE(s.full_text, f.full_text) AS full_text",
)

#: The feed's fetch settings resolved across its subscribers (#11): the strongest
#: full-text mode (always > auto > never) and the shortest interval any of them
#: asked for (each request is clamped to the admin's limits when it is made; the
#: refresh clamps again). A feed nobody follows keeps its mode.
RESOLVE_FEED = """
UPDATE feeds SET
    full_text = COALESCE((
        SELECT CASE MAX(CASE s.full_text WHEN 'always' THEN 2 WHEN 'auto' THEN 1
                                         WHEN 'never' THEN 0 END)
               WHEN 2 THEN 'always' WHEN 1 THEN 'auto' WHEN 0 THEN 'never' END
        FROM subscriptions s WHERE s.feed_id = :feed_id AND s.unsubscribed_at IS NULL),
        full_text),
    interval_override = (
        SELECT MIN(s.interval_override) FROM subscriptions s
        WHERE s.feed_id = :feed_id AND s.unsubscribed_at IS NULL)
WHERE id = :feed_id
"""

#: Unsubscribing (#11): the subscription goes, or stays as a former one while the
#: user has starred or tagged entries in the feed; then entries that no one follows
#: and no one starred or tagged go, and the feed goes once no subscription is left.
UNSUBSCRIBE = (
    """UPDATE subscriptions SET unsubscribed_at = :now
    WHERE user_id = :user_id AND feed_id = :feed_id AND EXISTS (
        SELECT 1 FROM entries e JOIN entry_states st ON st.entry_id = e.id
        WHERE e.feed_id = :feed_id AND st.user_id = :user_id AND st.starred = 1
        UNION ALL
        SELECT 1 FROM entries e JOIN entry_tags t ON t.entry_id = e.id
        WHERE e.feed_id = :feed_id AND t.user_id = :user_id)""",
    """DELETE FROM subscriptions
    WHERE user_id = :user_id AND feed_id = :feed_id AND unsubscribed_at IS NULL""",
    """DELETE FROM entries WHERE feed_id = :feed_id
    AND NOT EXISTS (
        SELECT 1 FROM subscriptions s WHERE s.feed_id = :feed_id AND s.unsubscribed_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM entry_states st WHERE st.entry_id = entries.id AND st.starred = 1)
    AND NOT EXISTS (SELECT 1 FROM entry_tags t WHERE t.entry_id = entries.id)""",
    """DELETE FROM feeds WHERE id = :feed_id
    AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = :feed_id)""",
    RESOLVE_FEED,
)

#: Unread entries of a subscription, from the counters kept by triggers (migration 2).
UNREAD = "CASE WHEN f.n_entries > s.n_read THEN f.n_entries - s.n_read ELSE 0 END"


#: the columns of an ``Entry`` row of one user's listing (``entry_from_row``)
USER_ENTRY_COLUMNS = f"""{ENTRY_COLUMNS}, f.url AS feed_url,
       COALESCE(s.title, f.title) AS feed_title, c.name AS category,
       COALESCE(st.read, 0) AS read, COALESCE(st.starred, 0) AS starred"""


def user_entry_joins(entries_join: str = "entries e\nJOIN subscriptions s") -> str:
    """``FROM`` an entry listing of one user (``:user_id``); ``entries_join`` is the
    dialect's ``Dialect.entries_join`` for the listing."""
    return f"""
FROM {entries_join} ON s.feed_id = e.feed_id AND s.user_id = :user_id
JOIN feeds f ON f.id = e.feed_id
LEFT JOIN categories c ON c.id = s.category_id
LEFT JOIN entry_states st ON st.entry_id = e.id AND st.user_id = :user_id
"""


def user_entries(entries_join: str = "entries e\nJOIN subscriptions s") -> str:
    """An entry listing of one user, as ``Entry`` rows (see ``user_entry_joins``)."""
    return f"""
SELECT {USER_ENTRY_COLUMNS}
{user_entry_joins(entries_join).lstrip()}"""


USER_ENTRIES = user_entries()
USER_ENTRY_JOINS = user_entry_joins()

USER_FEEDS = f"""
SELECT {USER_FEED_COLUMNS}, c.name AS category, s.title AS custom_title,
       f.n_entries AS entry_count, {UNREAD} AS unread
FROM subscriptions s
JOIN feeds f ON f.id = s.feed_id
LEFT JOIN categories c ON c.id = s.category_id
WHERE s.user_id = :user_id AND s.unsubscribed_at IS NULL
ORDER BY LOWER(COALESCE(s.title, f.title, f.url))
"""

FEED_BY = f"""
SELECT {FEED_COLUMNS}, f.n_entries AS entry_count
FROM feeds f
"""

DUE_FEEDS = f"""
SELECT {FEED_COLUMNS}, 0 AS entry_count FROM feeds f
WHERE f.disabled = 0 AND f.next_check_at <= :now
  AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
ORDER BY f.next_check_at, f.id
"""

ALL_FEEDS = f"""
SELECT {FEED_COLUMNS}, 0 AS entry_count FROM feeds f
WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.unsubscribed_at IS NULL)
ORDER BY f.id
"""

UPSERT_ENTRY = """
INSERT INTO entries (feed_id, guid, title, link, author, published_at, updated_at, summary,
                     content, categories, enclosures, image, comments, language, content_hash,
                     first_seen_at, sort_at)
VALUES (:feed_id, :guid, :title, :link, :author, :published_at, :updated_at, :summary,
        :content, :categories, :enclosures, :image, :comments, :language, :content_hash,
        :first_seen_at, :sort_at)
ON CONFLICT (feed_id, guid) DO UPDATE SET
    title = excluded.title, link = excluded.link, author = excluded.author,
    published_at = excluded.published_at, updated_at = excluded.updated_at,
    summary = excluded.summary, content = excluded.content,
    categories = excluded.categories, enclosures = excluded.enclosures,
    image = excluded.image, comments = excluded.comments, language = excluded.language,
    content_hash = excluded.content_hash
"""

# A refresh's result ends the feed's lease (#10): its claim's, not one another
# owner took after it expired (#13).
UPDATE_FEED_OK = """
UPDATE feeds SET
    url = COALESCE(:url, url), host = COALESCE(:host, host),
    title = COALESCE(:title, title), link = COALESCE(:link, link),
    description = COALESCE(:description, description),
    language = COALESCE(:language, language), icon = COALESCE(:icon, icon),
    hub = :hub, etag = :etag, last_modified = :last_modified,
    last_fetched_at = :fetched_at, last_success_at = :fetched_at,
    last_error = NULL, error_count = 0, next_check_at = :next_check_at,
    entries_per_week = COALESCE(:entries_per_week, entries_per_week),
    lease_owner = CASE WHEN :lease_owner IS NULL OR lease_owner = :lease_owner
                       THEN NULL ELSE lease_owner END,
    lease_until = CASE WHEN :lease_owner IS NULL OR lease_owner = :lease_owner
                       THEN NULL ELSE lease_until END
WHERE id = :feed_id
"""

UPDATE_FEED_ERROR = """
UPDATE feeds SET
    last_fetched_at = :fetched_at, last_error = :error, error_count = error_count + 1,
    next_check_at = :next_check_at, disabled = :disabled,
    lease_owner = CASE WHEN :lease_owner IS NULL OR lease_owner = :lease_owner
                       THEN NULL ELSE lease_owner END,
    lease_until = CASE WHEN :lease_owner IS NULL OR lease_owner = :lease_owner
                       THEN NULL ELSE lease_until END
WHERE id = :feed_id
"""

MARK_ENTRY = """
INSERT INTO entry_states (user_id, entry_id, read, starred, read_at, starred_at)
VALUES (:user_id, :entry_id, COALESCE(:read, 0), COALESCE(:starred, 0),
        CASE WHEN :read = 1 THEN :now END, CASE WHEN :starred = 1 THEN :now END)
ON CONFLICT (user_id, entry_id) DO UPDATE SET
    read = COALESCE(:read, entry_states.read),
    starred = COALESCE(:starred, entry_states.starred),
    read_at = CASE WHEN :read IS NULL THEN entry_states.read_at
                   WHEN :read = 1 THEN :now END,
    starred_at = CASE WHEN :starred IS NULL THEN entry_states.starred_at
                      WHEN :starred = 1 THEN :now END
"""

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


def to_pyformat(sql: str) -> str:
    """Rewrite ``:name`` parameters as psycopg's ``%(name)s``."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
