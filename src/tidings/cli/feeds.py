"""Subscriptions: ``add``, ``remove``, ``feeds``, ``refresh``, ``import-opml``, ``export-opml``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from tidings.aggregator import Aggregator
from tidings.api.serialize import feed_status
from tidings.cli.context import Context, echo_json, pass_ctx
from tidings.model import BatchSummary, RefreshResult


@click.command()
@click.argument("url")
@click.option("--category", "-c", help="File the feed under this category.")
@click.option("--no-discover", is_flag=True, help="Subscribe to URL as given, without fetching it.")
@pass_ctx
def add(c: Context, url: str, category: str | None, no_discover: bool) -> None:
    """Subscribe to a feed, or to the feed a site's address links to."""
    with c.app() as (agg, user):
        state = asyncio.run(agg.add_feed(user, url, category=category, discover=not no_discover))
        click.echo(f"added {state.url}" + (f" [{category}]" if category else ""))


@click.command()
@click.argument("url")
@pass_ctx
def remove(c: Context, url: str) -> None:
    """Unsubscribe from a feed."""
    with c.app() as (agg, user):
        agg.remove_feed(user, url)
        click.echo(f"removed {url}")


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
        table.add_row(
            f"{r['title'] or ''}\n{r['url']}",
            r["category"] or "",
            str(r["entries"]),
            str(r["unread"]),
            _short(r["last_fetched"]),
            _short(r["next_check"]),
            (f"{r['last_error']} (x{r['error_count']})" if r["last_error"] else ""),
        )
    Console().print(table)


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "never"


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--all", "all_feeds", is_flag=True, help="Refresh every feed, due or not.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line (no log lines).")
@pass_ctx
def refresh(c: Context, urls: tuple[str, ...], all_feeds: bool, quiet: bool) -> None:
    """Fetch the due feeds (or the named ones, or --all) and store new entries."""
    if not quiet:
        c.log_to_stderr()
    with c.aggregator() as agg:
        summary = _refresh_with_progress(agg, urls, all_feeds, quiet)
    for r in summary.results:
        if r.status == "error" and not quiet:
            click.echo(f"failed: {r.feed_url}: {r.error}", err=True)
    click.echo(
        f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
        f"{summary.new_entries} new entries"
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
        click.echo(f"skipped: {p}", err=True)
    click.echo(f"imported {added} feeds")


@click.command("export-opml")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def export_opml(c: Context, file: Path | None) -> None:
    """Write subscriptions as OPML to FILE (or standard output)."""
    with c.app() as (agg, user):
        data = agg.export_opml(user)
    if file is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        file.write_bytes(data)
        click.echo(f"wrote {file}", err=True)
