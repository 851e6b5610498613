"""Reading: ``entries``, ``search``, ``show``, ``mark``."""

from __future__ import annotations

import click

from tidings.aggregator.reading import SearchResult
from tidings.api.serialize import entry_json
from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import echo, echo_json, echo_styled, terminal_safe
from tidings.cli.textview import entry_text, local_zone
from tidings.core.search import MARK_END, MARK_START
from tidings.model import EntryFilter


@click.command()
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
    zone = local_zone()  # TZ (#15)
    for e in found:
        flags = ("*" if e.starred else " ") + (" " if e.read else "N")
        when = e.date.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        echo(f"{e.id:>7} {flags} {when}  {e.title or '(untitled)'}  — {e.feed_title or ''}")


@click.command(context_settings={"ignore_unknown_options": True})  # -word excludes a word
@click.argument("words", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def search(c: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Search your entries: words, "a phrase", -excluded, prefix*, feed:URL,
    category:NAME, tag:NAME.

    Best matches first (titles weigh more); a story in several feeds is listed once.
    """
    with c.app() as (agg, user):
        result = agg.reading.search(user, " ".join(words), limit=limit)
    if result.message is not None:
        raise click.UsageError(result.message)
    echo_hits(result, as_json=as_json)


def echo_hits(result: SearchResult, *, as_json: bool) -> None:
    """Print search results: a line and a snippet each, or a JSON array."""
    if as_json:
        echo_json(
            [
                entry_json(h.entry) | {"hit_title": _plain(h.title), "hit": _plain(h.snippet)}
                for h in result.hits
            ]
        )
        return
    if not result.hits:
        echo("no entries match", err=True)
    for hit in result.hits:
        feed = terminal_safe(hit.entry.feed_title or "")
        echo_styled(f"{hit.entry.id:>7}  {_marked(hit.title)}  — {feed}")
        if hit.snippet:
            echo_styled(f"         {_marked(hit.snippet)}")


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _marked(text: str) -> str:
    """Matched words in bold, the text made safe for a terminal (#11)."""
    out, rest = [], text
    while MARK_START in rest:
        before, _, tail = rest.partition(MARK_START)
        word, _, rest = tail.partition(MARK_END)
        out += [terminal_safe(before), click.style(terminal_safe(word), bold=True)]
    return "".join(out) + terminal_safe(rest.replace(MARK_END, ""))


@click.command()
@click.argument("entry_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def show(c: Context, entry_id: int, as_json: bool) -> None:
    """Show one story: headline, source and section, time, full text, attachments
    (type, size, duration, URL), source link."""
    with c.app() as (agg, user):
        entry = agg.get_entry(user, entry_id)
    if as_json:
        echo_json(entry_json(entry))
    else:
        echo(entry_text(entry))


@click.command()
@click.argument("entry_ids", type=int, nargs=-1)
@click.option("--read/--unread", default=None, help="Mark read or unread.")
@click.option("--star/--unstar", default=None, help="Star or unstar.")
@click.option("--all", "everything", is_flag=True, help="Mark every entry read (with --read).")
@click.option("--feed", "feed_url", help="With --all: only entries of this feed URL.")
@click.option("--category", "-c", help="With --all: only entries in this category.")
@click.option(
    "--older-than",
    type=click.Choice(["day", "week"]),
    help="With --all: only entries older than a day or a week.",
)
@pass_ctx
def mark(
    c: Context,
    entry_ids: tuple[int, ...],
    read: bool | None,
    star: bool | None,
    everything: bool,
    feed_url: str | None,
    category: str | None,
    older_than: str | None,
) -> None:
    """Mark entries read/unread or starred/unstarred; --all --read marks every entry
    (of a feed, a category, older than a day or a week) read."""
    if everything:
        if entry_ids or star is not None or read is not True:
            raise click.UsageError("--all takes --read only, and no entry ids")
        with c.app() as (agg, user):
            f = EntryFilter(feed_url=feed_url, category=category)
            n = agg.reading.mark_listing_read(user, f, older_than=older_than or "all")
        echo(f"marked {n} entries read")
        return
    if feed_url or category or older_than:
        raise click.UsageError("--feed, --category and --older-than go with --all")
    if not entry_ids:
        raise click.UsageError("name the entry ids, or say --all --read")
    if read is None and star is None:
        raise click.UsageError("say --read, --unread, --star or --unstar")
    with c.app() as (agg, user):
        for entry_id in entry_ids:
            e = agg.mark_entry(user, entry_id, read=read, starred=star)
            echo(
                f"{e.id}: {'read' if e.read else 'unread'}, "
                f"{'starred' if e.starred else 'not starred'}"
            )
