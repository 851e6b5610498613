"""Templates and their filters: everything that turns data into HTML.

Autoescape is on for every template. Only two things are ever marked safe:
entry HTML, passed through the nh3 sanitizer again (``sanitized``; its images then
sent through the media proxy, #15), and search highlights built here from escaped
text (``highlighted``). Every URL goes through ``safe_url`` (HOSTILE C6, C7); an
image's through ``media_url`` (``safe_url``, then the proxy).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from tidings.aggregator.media import MediaProxy
from tidings.content.media import deferred_frames, format_duration, format_size, media_badge
from tidings.content.sanitize import sanitize_html
from tidings.content.source import source_line
from tidings.content.text import first_paragraph, fragment_html, shown_lead
from tidings.core.search import MARK_END, MARK_START

HERE = Path(__file__).parent


def safe_url(url: str | None) -> str:
    """Only http(s) URLs reach an href or src; anything else becomes '#' (HOSTILE C6)."""
    if not url:
        return "#"
    cleaned = url.strip()
    if any(ord(ch) < 32 for ch in cleaned):
        return "#"
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return "#"
    return cleaned if scheme in {"http", "https"} else "#"


def relative_time(dt: datetime | None, now: datetime | None = None, zone: tzinfo = UTC) -> str:
    """How long ago ("5 minutes ago"); past 30 days, the date in ``zone``."""
    if dt is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - dt).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            if unit == "day" and n > 30:
                return dt.astimezone(zone).strftime("%d %b %Y")
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return ""


def highlighted(text: str | None) -> Markup:
    """Escape ``text``, then turn the search markers into ``<mark>`` elements."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def iso(dt: datetime | None) -> str:
    return dt.astimezone(UTC).isoformat() if dt else ""


def when(dt: datetime | None, zone: tzinfo = UTC) -> str:
    """A date and time in ``zone``, named by its abbreviation: "16 Jan 2025, 05:00 JST"."""
    return dt.astimezone(zone).strftime("%d %b %Y, %H:%M %Z") if dt else "never"


@lru_cache(maxsize=64)
def zone_named(name: str) -> tzinfo:
    """The zone called ``name`` (an IANA name, checked when stored); UTC if unknown."""
    try:
        return ZoneInfo(name) if name != "UTC" else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _viewer_zone(context: Context) -> tzinfo:
    """The zone of the page's visitor (``v.time_zone``, #15); UTC for a page without one."""
    return zone_named(getattr(context.get("v"), "time_zone", "UTC"))


@pass_context
def _reltime_filter(context: Context, dt: datetime | None) -> str:
    return relative_time(dt, zone=_viewer_zone(context))


@pass_context
def _when_filter(context: Context, dt: datetime | None) -> str:
    return when(dt, _viewer_zone(context))


def path_part(value: str) -> str:
    """Quote a value for one URL path segment (a category name, say)."""
    return quote(value, safe="")


def make_environment(media: MediaProxy | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    rewrite = media.rewrite_html if media is not None else str
    image = media.url_for if media is not None else str
    env.filters.update(
        safe_url=safe_url,
        reltime=_reltime_filter,  # times in the visitor's zone (#15)
        lead=first_paragraph,
        # the lead above a story's text, unless it is the text's first paragraph (#11)
        shown_lead=lambda e: shown_lead(e.lead, e.summary, e.content or e.summary),
        source=source_line,
        iso=iso,
        when=_when_filter,
        highlighted=highlighted,
        path_part=path_part,
        # media (#15): a card's "▶ podcast 42 min", a player's duration and size
        media_badge=lambda e: media_badge(e.enclosures, e.link, e.guid),
        duration=format_duration,
        filesize=format_size,
        urlencode=lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")}),
        # entry HTML was sanitized at ingest; it is sanitized again here (nh3, ~0.4 ms
        # for 12 KB) so that no stored markup reaches a page unchecked (HOSTILE C1); its
        # text without tags is shown with its paragraphs and links, its video frames load
        # only on a click, its images come through the media proxy (#15)
        sanitized=lambda html: Markup(
            rewrite(deferred_frames(sanitize_html(fragment_html(html or ""))))
        ),
        # an image address for a src (a card's thumbnail): through the proxy (#15)
        media_url=lambda url: image(safe_url(url)),
    )
    return env


class Renderer:
    """Renders full pages and fragments with the request's CSP nonce."""

    def __init__(self, media: MediaProxy | None = None) -> None:
        self.env = make_environment(media)

    def html(self, request: Request, template: str, context: dict[str, Any]) -> str:
        context.setdefault("nonce", request.state.csp_nonce)
        context["request"] = request
        return self.env.get_template(template).render(**context)

    def page(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        return HTMLResponse(self.html(request, template, context), status_code=status)
