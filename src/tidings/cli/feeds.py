"""Subscriptions: ``add``, ``remove``, ``feeds``, ``feed-options``, ``refresh``, ``import-opml``,
``export-opml``."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

import click

from tidings.aggregator import UNSET, Aggregator, Unset
from tidings.api.serialize import feed_status
from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import cell, echo, echo_json, terminal_safe
from tidings.cli.textview import local_time
from tidings.core.schedule import parse_interval
from tidings.model import BatchSummary, FullTextMode, RefreshResult
from tidings.refresh.batch import StorageFailure


@click.command()
@click.argument("url")
@click.option("--category", "-c", help="File the feed under this category.")
@click.option("--no-discover", is_flag=True, help="Subscribe to URL as given, without fetching it.")
@click.option(
    "--pick",
    type=click.IntRange(1, 100),
    help="Of the feeds a site's page names, subscribe to the N-th (as `add` lists them).",
)
@pass_ctx
def add(c: Context, url: str, category: str | None, no_discover: bool, pick: int | None) -> None:
    """Subscribe to a feed, or to the feed a site's address links to (the first that
    Tidings can read; when the page names several, they are listed: --pick N for another)."""
    if pick is not None and no_discover:
        raise click.UsageError("--pick chooses among discovered feeds: not with --no-discover")
    with c.app() as (agg, user):
        if no_discover:
            state = asyncio.run(agg.add_feed(user, url, category=category, discover=False))
            found: tuple[str, ...] = ()
        else:
            discovery = asyncio.run(agg.discover_feeds(url, pick=pick))
            state = asyncio.run(
                agg.add_feed(user, discovery.url, category=category, discover=False)
            )
            found = discovery.candidates
        if len(found) > 1:
            echo(f"{terminal_safe(url)} names {len(found)} feeds:")
            for n, candidate in enumerate(found, 1):
                mark = "  <- added" if candidate == state.url else ""
                echo(f"  {n}) {terminal_safe(candidate)}{mark}")
        echo(
            f"added {terminal_safe(state.url)}"
            + (f" [{terminal_safe(category)}]" if category else "")
        )
        if len(found) > 1:
            echo("another one: tidings add URL --pick N (and tidings remove this one)")


@click.command()
@click.argument("url")
@pass_ctx
def remove(c: Context, url: str) -> None:
    """Unsubscribe from a feed."""
    with c.app() as (agg, user):
        agg.remove_feed(user, url)
        echo(f"removed {url}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def feeds(c: Context, as_json: bool) -> None:
    """List subscriptions with their status."""
    with c.app() as (agg, user):
        rows = [feed_status(f) for f in agg.get_feeds(user)]
    if as_json:
        echo_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("feed", "category", "entries", "unread", "last fetch", "next check", "error")
    for r in rows:
        values = (
            f"{r['custom_title'] or r['title'] or ''}\n{r['url']}",
            r["category"] or "",
            str(r["entries"]),
            str(r["unread"]),
            _short(r["last_fetched"]),
            _short(r["next_check"]),
            (f"{r['last_error']} (x{r['error_count']})" if r["last_error"] else ""),
        )
        table.add_row(*(cell(v) for v in values))
    Console().print(table)


def _short(iso: str | None) -> str:
    """A ``feed_status`` time (ISO, UTC) in the CLI's zone (TZ, #15)."""
    if not iso:
        return "never"
    return local_time(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--all", "all_feeds", is_flag=True, help="Refresh every feed, due or not.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line (no log lines).")
@pass_ctx
def refresh(c: Context, urls: tuple[str, ...], all_feeds: bool, quiet: bool) -> None:
    """Fetch the due feeds (or the named ones, or --all) and store new entries.

    A feed that cannot be fetched or read is listed and recorded on the feed; the
    exit status is 1 when the database could not store a feed (full, read-only).
    """
    if not quiet:
        c.log_to_stderr()
    with c.aggregator() as agg:
        summary = _refresh_with_progress(agg, urls, all_feeds, quiet)
    for r in summary.results:
        if r.status == "error" and not quiet:
            echo(f"failed: {r.feed_url}: {r.error}", err=True)
    echo(
        f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
        f"{summary.new_entries} new entries"
    )
    check_stored(summary)


def check_stored(summary: BatchSummary) -> None:
    """Exit 1 (``ClickException``) if the database could not store some feed.

    A feed's own failure (unreachable, not a feed) is the feed's news, recorded on
    it; one the database could not store needs the administrator (#11).
    """
    unstored = [r for r in summary.results if isinstance(r, StorageFailure)]
    if unstored:
        causes = dict.fromkeys(str(r.cause) for r in unstored)  # in order, once each
        raise click.ClickException(
            f"{len(unstored)} of {len(summary.results)} feeds could not be stored: "
            + "; ".join(causes)
        )


def _refresh_with_progress(
    agg: Aggregator, urls: tuple[str, ...], all_feeds: bool, quiet: bool
) -> BatchSummary:
    if quiet or not sys.stderr.isatty():
        return asyncio.run(agg.refresh(urls, all_feeds=all_feeds))
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("refreshing", total=None)

        def start(n: int) -> None:
            progress.update(task, total=n)

        def advance(_r: RefreshResult) -> None:
            progress.advance(task)

        return asyncio.run(
            agg.refresh(urls, all_feeds=all_feeds, on_start=start, on_result=advance)
        )


@click.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def import_opml(c: Context, file: Path) -> None:
    """Subscribe to every feed of an OPML file (categories from outline nesting)."""
    with c.app() as (agg, user):
        added, problems = agg.import_opml(user, file.read_bytes())
    for p in problems:
        echo(f"skipped: {p}", err=True)
    echo(f"imported {added} feeds")


@click.command("export-opml")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def export_opml(c: Context, file: Path | None) -> None:
    """Write subscriptions as OPML to FILE (or standard output)."""
    with c.app() as (agg, user):
        data = agg.export_opml(user)
    if file is None:
        echo(data.decode("utf-8"), nl=False)
    else:
        file.write_bytes(data)
        echo(f"wrote {file}", err=True)


@click.command("feed-options")
@click.argument("url")
@click.option("--category", help="File the feed under this category ('' for none).")
@click.option("--title", help="Your name for the feed ('' for the feed's own title).")
@click.option(
    "--full-text",
    type=click.Choice([m.value for m in FullTextMode]),
    help="Fetch the article for teasers (auto), for every entry (always), or never.",
)
@click.option("--body", "body_selector", help="CSS selector of the article body on its pages.")
@click.option(
    "--remove", "remove_selectors", multiple=True, help="CSS selector of clutter to cut (repeat)."
)
@click.option("--clear-selectors", is_flag=True, help="Forget the feed's CSS selectors.")
@click.option(
    "--interval",
    metavar="DURATION",
    help="Check the feed this often (90s, 30m, 2h, 1d; a bare number is minutes), "
    "or 'auto' to follow its posting rate again.",
)
@click.pass_context
def feed_options(
    ctx: click.Context,
    url: str,
    category: str | None,
    title: str | None,
    full_text: str | None,
    body_selector: str | None,
    remove_selectors: tuple[str, ...],
    clear_selectors: bool,
    interval: str | None,
) -> None:
    """Show or set a feed's category, title, full-text mode, refresh interval and
    extraction selectors."""
    body: str | Unset | None = _given(body_selector)
    remove: tuple[str, ...] | Unset = remove_selectors or UNSET
    if clear_selectors:
        body, remove = None, ()
    seconds = UNSET if interval is None else _interval(interval)
    with ctx.obj.app() as (agg, user):
        feed_id = agg.subscriptions.feed_id_for(user, url)
        feed = agg.subscriptions.update_subscription(
            user,
            feed_id,
            category=_given(category),
            title=_given(title),
            interval=seconds,
            full_text=_given(full_text),
            body_selector=body,
            remove_selectors=remove,
        )
        options = agg.subscriptions.get_story_options(user, feed_id)
    override = feed.state.interval_override
    name = terminal_safe(feed.custom_title) if feed.custom_title else "(the feed's own)"
    echo(f"title: {name}")
    echo(f"category: {feed.category or '(none)'}")
    echo(f"full text: {feed.state.full_text.value}")
    echo(f"interval: {_duration(override) if override else 'auto (posting rate)'}")
    echo(f"body: {options.body_selector or '(automatic)'}")
    echo("remove: " + (", ".join(options.remove_selectors) or "(none)"))


def _given(value: str | None) -> str | Unset:
    """An option's value; UNSET when it was not given."""
    return UNSET if value is None else value


def _interval(text: str) -> int | None:
    try:
        return parse_interval(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval") from None


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
