"""The ``tidings`` command line: every operation, each with ``--help``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from tidings import logs
from tidings.aggregator import DEFAULT_USER, Aggregator, read_feed
from tidings.api.serialize import entry_json, feed_data_json, feed_status
from tidings.cli.context import Context, echo_json, pass_ctx
from tidings.cli.rules import feed_options, rules
from tidings.cli.textview import entry_text
from tidings.cli.users import user as user_group
from tidings.core.search import MARK_END, MARK_START
from tidings.errors import TidingsError
from tidings.model import BatchSummary, EntryFilter, RefreshResult
from tidings.settings import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="TIDINGS_DB", help="Database URL (sqlite:///path).")
@click.option(
    "--user",
    envvar="TIDINGS_USER",
    default=DEFAULT_USER,
    show_default=True,
    help="Whose subscriptions and read state to use.",
)
@click.option(
    "--log-format",
    type=click.Choice(logs.FORMATS),
    help="Log lines of serve, worker and refresh on stderr: text (default) or json.",
)
@click.option(
    "--log-level",
    type=click.Choice(logs.LEVELS, case_sensitive=False),
    help="Least severe level logged (default info).",
)
@click.version_option(package_name="tidings")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, user: str, log_format: str | None, log_level: str | None
) -> None:
    """Tidings: a self-hosted news feed aggregator and reader."""
    try:
        settings = load_settings({"db": db, "log_format": log_format, "log_level": log_level})
    except TidingsError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = Context(settings, user)


@cli.command()
@click.argument("url")
@click.option("--category", "-c", help="File the feed under this category.")
@click.option("--no-discover", is_flag=True, help="Subscribe to URL as given, without fetching it.")
@pass_ctx
def add(c: Context, url: str, category: str | None, no_discover: bool) -> None:
    """Subscribe to a feed, or to the feed a site's address links to."""
    with c.app() as (agg, user):
        state = asyncio.run(agg.add_feed(user, url, category=category, discover=not no_discover))
        click.echo(f"added {state.url}" + (f" [{category}]" if category else ""))


@cli.command()
@click.argument("url")
@pass_ctx
def remove(c: Context, url: str) -> None:
    """Unsubscribe from a feed."""
    with c.app() as (agg, user):
        agg.remove_feed(user, url)
        click.echo(f"removed {url}")


@cli.command()
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


@cli.command()
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


@cli.command()
@click.option("--feed", "feed_url", help="Only entries of this feed URL.")
@click.option("--category", "-c", help="Only entries in this category.")
@click.option("--unread", is_flag=True, help="Only unread entries.")
@click.option("--starred", is_flag=True, help="Only starred entries.")
@click.option("--limit", "-n", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def entries(
    c: Context,
    feed_url: str | None,
    category: str | None,
    unread: bool,
    starred: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List entries, newest first."""
    flt = EntryFilter(
        feed_url=feed_url, category=category, unread=unread, starred=starred, limit=limit
    )
    with c.app() as (agg, user):
        found = agg.get_entries(user, flt)
    if as_json:
        echo_json([entry_json(e) for e in found])
        return
    for e in found:
        flags = ("*" if e.starred else " ") + (" " if e.read else "N")
        when = e.published.strftime("%Y-%m-%d %H:%M") if e.published else "                "
        click.echo(f"{e.id:>7} {flags} {when}  {e.title or '(untitled)'}  — {e.feed_title or ''}")


@cli.command(context_settings={"ignore_unknown_options": True})  # -word excludes a word
@click.argument("words", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def search(c: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search your entries: words, "a phrase", -excluded, prefix*, feed:URL, category:NAME.

    Best matches first (titles weigh more).
    """
    with c.app() as (agg, user):
        result = agg.reading.search(user, " ".join(words), limit=limit)
    if result.message is not None:
        raise click.UsageError(result.message)
    if as_json:
        echo_json(
            [
                entry_json(h.entry) | {"hit_title": _plain(h.title), "hit": _plain(h.snippet)}
                for h in result.hits
            ]
        )
        return
    if not result.hits:
        click.echo("no entries match", err=True)
    for hit in result.hits:
        click.echo(f"{hit.entry.id:>7}  {_marked(hit.title)}  — {hit.entry.feed_title or ''}")
        if hit.snippet:
            click.echo(f"         {_marked(hit.snippet)}")


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _marked(text: str) -> str:
    """Matched words in bold (click drops the styling when not on a terminal)."""
    out, rest = [], text
    while MARK_START in rest:
        before, _, tail = rest.partition(MARK_START)
        word, _, rest = tail.partition(MARK_END)
        out += [before, click.style(word, bold=True)]
    return "".join(out) + rest.replace(MARK_END, "")


@cli.command()
@click.argument("entry_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def show(c: Context, entry_id: int, as_json: bool) -> None:
    """Show one story: headline, source and section, time, full text, source link."""
    with c.app() as (agg, user):
        entry = agg.get_entry(user, entry_id)
    if as_json:
        echo_json(entry_json(entry))
    else:
        click.echo(entry_text(entry))


@cli.command()
@click.argument("entry_ids", type=int, nargs=-1, required=True)
@click.option("--read/--unread", default=None, help="Mark read or unread.")
@click.option("--star/--unstar", default=None, help="Star or unstar.")
@pass_ctx
def mark(c: Context, entry_ids: tuple[int, ...], read: bool | None, star: bool | None) -> None:
    """Mark entries read/unread or starred/unstarred."""
    if read is None and star is None:
        raise click.UsageError("say --read, --unread, --star or --unstar")
    with c.app() as (agg, user):
        for entry_id in entry_ids:
            e = agg.mark_entry(user, entry_id, read=read, starred=star)
            click.echo(
                f"{e.id}: {'read' if e.read else 'unread'}, "
                f"{'starred' if e.starred else 'not starred'}"
            )


@cli.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def import_opml(c: Context, file: Path) -> None:
    """Subscribe to every feed of an OPML file (categories from outline nesting)."""
    with c.app() as (agg, user):
        added, problems = agg.import_opml(user, file.read_bytes())
    for p in problems:
        click.echo(f"skipped: {p}", err=True)
    click.echo(f"imported {added} feeds")


@cli.command("export-opml")
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


@cli.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def parse(c: Context, source: str, as_json: bool) -> None:
    """Parse one feed (a file or a URL) and print what Tidings understood. Stores nothing."""
    try:
        feed = asyncio.run(read_feed(c.settings, source))
    except (TidingsError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    from tidings.cli.textview import feed_data_text

    if as_json:
        echo_json(feed_data_json(feed))
    else:
        click.echo(feed_data_text(feed))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--no-refresh", is_flag=True, help="Do not refresh feeds in the background.")
@pass_ctx
def serve(c: Context, host: str, port: int, no_refresh: bool) -> None:
    """Run the web reader, refreshing due feeds in the background."""
    from tidings.web.server import run_server

    c.log_to_stderr()
    refresh = c.settings.background_refresh and not no_refresh
    run_server(c.settings, host=host, port=port, background_refresh=refresh)


@cli.command()
@click.option("--once", is_flag=True, help="Refresh the due feeds once and exit.")
@pass_ctx
def worker(c: Context, once: bool) -> None:
    """Run the scheduler loop: refresh feeds as they come due."""
    from tidings.worker.loop import run_worker

    c.log_to_stderr()
    with c.aggregator() as agg:
        asyncio.run(run_worker(agg, once=once))


cli.add_command(user_group)
cli.add_command(rules)
cli.add_command(feed_options)


def main() -> None:
    cli(prog_name="tidings")
