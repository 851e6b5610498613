"""Plain-text and JSON views of stories and parsed feeds (for the CLI)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tidings.content.media import format_duration, format_size
from tidings.content.source import source_line
from tidings.content.text import html_to_text, shown_lead
from tidings.model import Enclosure, Entry, FeedData


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def local_zone() -> tzinfo:
    """The zone the CLI shows times in (#15): ``TZ`` when it names an IANA zone
    ("Asia/Tokyo", ":Asia/Tokyo"), else the C library's reading of ``TZ`` (a POSIX
    rule such as "EST+5") or the system's zone; UTC when there is none."""
    name = os.environ.get("TZ", "").removeprefix(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or UTC


def local_time(dt: datetime) -> datetime:
    """``dt`` in the CLI's zone (``--json`` stays UTC)."""
    return dt.astimezone(local_zone())


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
    when = entry.date
    body = html_to_text(entry.content) or html_to_text(entry.summary)
    lines = [
        entry.title or "(untitled)",
        "=" * min(len(entry.title or "(untitled)"), 78),
        source_line(entry),
        local_time(when).strftime("%A %d %B %Y, %H:%M %Z"),
    ]
    if entry.author:
        lines.append(f"By {entry.author}")
    if facts := story_facts(entry):
        lines.append(facts)
    if lead := shown_lead(entry.lead, entry.summary, entry.content or entry.summary):
        lines += ["", lead]
    lines += ["", body or "(no text)", ""]
    if entry.enclosures:
        lines += ["Attachments:", *(f"  {enclosure_line(e)}" for e in entry.enclosures), ""]
    if entry.duplicates:
        others = "; ".join(
            f"{d.feed_title or 'another feed'} ({d.link or f'entry {d.id}'})"
            for d in entry.duplicates
        )
        lines.append(f"Also reported by: {others}")
    if entry.link:
        lines.append(f"Source link: {entry.link}")
    return "\n".join(lines)


def enclosure_line(e: Enclosure) -> str:
    """One attachment (#15): "audio/mpeg · 54.9 MB · 1:54:09  https://…"."""
    facts = [e.type or "file", format_size(e.length), format_duration(e.duration)]
    return " · ".join(f for f in facts if f) + f"  {e.url}"


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
        lines.append(f"  {_iso(e.published or e.updated) or 'no date'}  {e.link or ''}")
        lines.append(f"  id: {e.id}")
    return "\n".join(lines)
