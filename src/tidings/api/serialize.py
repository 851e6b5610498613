"""Plain-data views of Tidings' types: the ``--json`` contract of the CLI, shared
by the APIs. Times are ISO 8601 in UTC with a ``Z``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tidings.model import Enclosure, Entry, EntryData, Feed, FeedData, Rule, SavedSearch

__all__ = [
    "enclosure_json",
    "entry_data_json",
    "entry_json",
    "feed_data_json",
    "feed_status",
    "iso",
    "rule_json",
    "saved_search_json",
]


def iso(dt: datetime | None) -> str | None:
    """``2026-11-25T12:00:00Z``, or None."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def feed_status(feed: Feed) -> Mapping[str, Any]:
    """A feed's status as plain data (for ``--json`` and the API)."""
    s = feed.state
    return {
        "id": s.id,
        "url": s.url,
        "title": s.title,
        "custom_title": feed.custom_title,  # the user's name for it (#15)
        "link": s.link,
        "category": feed.category,
        "entries": s.entry_count,
        "unread": feed.unread,
        "last_fetched": iso(s.last_fetched_at),
        "last_success": iso(s.last_success_at),
        "last_error": s.last_error,
        "error_count": s.error_count,
        "next_check": iso(s.next_check_at),
        "disabled": s.disabled,
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as plain data: the ``--json`` contract of ``tidings entries``."""

    return {
        "id": entry.id,
        "feed_url": entry.feed_url,
        "feed_title": entry.feed_title,
        "category": entry.category,
        "guid": entry.guid,
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": iso(entry.published),
        "updated": iso(entry.updated),
        "first_seen": iso(entry.first_seen),
        # the entry's date by the one rule, and the field it came from (#11)
        "date": iso(entry.date),
        "date_source": entry.date_source,
        "summary": entry.summary,
        "content": entry.content,
        "categories": list(entry.categories),
        "enclosures": [enclosure_json(e) for e in entry.enclosures],
        "image": entry.image,
        "comments": entry.comments,
        "read": entry.read,
        "starred": entry.starred,
        # the story (#5)
        "lead": entry.lead,
        "word_count": entry.word_count,
        "reading_minutes": entry.reading_minutes,
        "main_image": entry.main_image,
        "language": entry.language,
        "source": entry.source,
        "section": entry.section,
        "full_text": entry.full_text,
        "tags": list(entry.tags),
        "cluster_id": entry.cluster_id,
        "duplicates": [
            {"id": d.id, "feed_title": d.feed_title, "link": d.link} for d in entry.duplicates
        ],
    }


def enclosure_json(e: Enclosure) -> dict[str, Any]:
    """An enclosure: its URL, MIME type, size in bytes and duration in seconds (#15)."""
    return {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}


def entry_data_json(e: EntryData) -> dict[str, Any]:
    return {
        "id": e.id,
        "title": e.title,
        "link": e.link,
        "author": e.author,
        "published": iso(e.published),
        "updated": iso(e.updated),
        "summary": e.summary,
        "content": e.content,
        "categories": list(e.categories),
        "enclosures": [enclosure_json(x) for x in e.enclosures],
        "image": e.image,
        "comments": e.comments,
        "language": e.language,
    }


def feed_data_json(feed: FeedData) -> dict[str, Any]:
    return {
        "version": feed.version,
        "title": feed.title,
        "link": feed.link,
        "description": feed.description,
        "language": feed.language,
        "image": feed.image,
        "icon": feed.icon,
        "updated": iso(feed.updated),
        "ttl_minutes": feed.ttl_minutes,
        "hub": feed.hub,
        "self_url": feed.self_url,
        "entries": [entry_data_json(e) for e in feed.entries],
    }


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "feed_url": rule.feed_url,
        "field": rule.field.value,
        "pattern": rule.pattern,
        "keep": rule.keep,
        "action": rule.action.value,
        "value": rule.value,
    }


def saved_search_json(saved: SavedSearch) -> dict[str, Any]:
    """A saved search (#15), with its path in the web reader."""
    return {
        "id": saved.id,
        "name": saved.name,
        "query": saved.query,
        "url": "/search?" + urlencode({"q": saved.query}),
        "created_at": iso(saved.created_at),
    }
