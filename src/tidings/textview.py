"""Plain-text and JSON views of stories and parsed feeds (for the CLI)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tidings.content.text import html_to_text
from tidings.model import Entry, EntryData, FeedData


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def source_line(entry: Entry) -> str:
    """``Source — Section``: the publication, and the entry's (or feed's) section."""
    source = entry.source or entry.feed_title or entry.feed_url
    section = entry.section
    if section is None and entry.source is None:
        section = entry.categories[0] if entry.categories else entry.category
    return f"{source} — {section}" if section else source


def story_facts(entry: Entry) -> str:
    """What is known, e.g. "4 min read · 812 words · en · full text"."""
    facts = []
    if entry.reading_minutes:
        facts.append(f"{entry.reading_minutes} min read")
    if entry.word_count:
        facts.append(f"{entry.word_count} words")
    if entry.language:
        facts.append(entry.language)
    if entry.full_text:
        facts.append("full text")
    if entry.tags:
        facts.append("tags: " + ", ".join(entry.tags))
    return " · ".join(facts)


def entry_text(entry: Entry) -> str:
    """A story as text: headline, source and section, time, full text, source link."""
    when = entry.published or entry.updated or entry.first_seen
    body = html_to_text(entry.content) or html_to_text(entry.summary)
    lines = [
        entry.title or "(untitled)",
        "=" * min(len(entry.title or "(untitled)"), 78),
        source_line(entry),
        when.astimezone(UTC).strftime("%A %d %B %Y, %H:%M UTC"),
    ]
    if entry.author:
        lines.append(f"By {entry.author}")
    if facts := story_facts(entry):
        lines.append(facts)
    lines += ["", body or "(no text)", ""]
    if entry.duplicates:
        others = "; ".join(
            f"{d.feed_title or 'another feed'} ({d.link or f'entry {d.id}'})"
            for d in entry.duplicates
        )
        lines.append(f"Also reported by: {others}")
    if entry.link:
        lines.append(f"Source link: {entry.link}")
    return "\n".join(lines)


def entry_data_json(e: EntryData) -> dict[str, Any]:
    return {
        "id": e.id,
        "title": e.title,
        "link": e.link,
        "author": e.author,
        "published": _iso(e.published),
        "updated": _iso(e.updated),
        "summary": e.summary,
        "content": e.content,
        "categories": list(e.categories),
        "enclosures": [{"url": x.url, "type": x.type, "length": x.length} for x in e.enclosures],
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
        "updated": _iso(feed.updated),
        "ttl_minutes": feed.ttl_minutes,
        "hub": feed.hub,
        "self_url": feed.self_url,
        "entries": [entry_data_json(e) for e in feed.entries],
    }


def feed_data_text(feed: FeedData) -> str:
    lines = [
        f"{feed.title or '(untitled feed)'}  [{feed.version}]",
        f"link: {feed.link or '-'}",
        f"language: {feed.language or '-'}   updated: {_iso(feed.updated) or '-'}",
        f"{len(feed.entries)} entries",
        "",
    ]
    for e in feed.entries:
        lines.append(f"- {e.title or '(untitled)'}")
        lines.append(f"  {_iso(e.published) or 'no date'}  {e.link or ''}")
        lines.append(f"  id: {e.id}")
    return "\n".join(lines)
