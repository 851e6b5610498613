"""``tidings saved``: saved searches, added, listed, run, renamed and removed (#15).

The same saved searches as the web reader's sidebar. ``tidings search`` takes its
words directly, so the saved ones have a group of their own."""

from __future__ import annotations

import click

from tidings.api.serialize import saved_search_json
from tidings.cli.context import Context, pass_ctx
from tidings.cli.entries import echo_hits
from tidings.cli.terminal import echo, echo_json


@click.group()
def saved() -> None:
    """Saved searches: a query under a name, listed in the web reader's sidebar.

    A query is written as for `tidings search` (words, "a phrase", -excluded,
    prefix*, feed:NAME, category:NAME). Names are yours alone, at most 100
    characters, and one of each name whatever its case.
    """


@saved.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def list_saved(c: Context, as_json: bool) -> None:
    """List your saved searches, by name."""
    with c.app() as (agg, user):
        found = agg.searches.get_saved_searches(user)
    if as_json:
        echo_json([saved_search_json(s) for s in found])
        return
    width = max((len(s.name) for s in found), default=0)
    for s in found:
        echo(f"{s.name:<{width}}  {s.query}")
    if not found:
        echo("no saved searches")


@saved.command("add", context_settings={"ignore_unknown_options": True})  # -word excludes
@click.argument("name")
@click.argument("words", nargs=-1, required=True, type=click.UNPROCESSED)
@pass_ctx
def add_saved(c: Context, name: str, words: tuple[str, ...]) -> None:
    """Save the search WORDS as NAME."""
    with c.app() as (agg, user):
        made = agg.searches.save_search(user, " ".join(words), name)
    echo(f'saved "{made.name}": {made.query}')


@saved.command("run")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def run_saved(c: Context, name: str, limit: int, as_json: bool) -> None:
    """Run the saved search NAME, as `tidings search` would."""
    with c.app() as (agg, user):
        query = agg.searches.get_saved_search(user, name).query
        result = agg.reading.search(user, query, limit=limit)
    if result.message is not None:
        raise click.ClickException(result.message)
    echo_hits(result, as_json=as_json)


@saved.command("rename")
@click.argument("old")
@click.argument("new")
@pass_ctx
def rename_saved(c: Context, old: str, new: str) -> None:
    """Rename the saved search OLD to NEW (its query stays)."""
    with c.app() as (agg, user):
        found = agg.searches.get_saved_search(user, old)
        renamed = agg.searches.rename_saved_search(user, found.id, new)
    echo(f'renamed "{found.name}" to "{renamed.name}"')


@saved.command("remove")
@click.argument("name")
@pass_ctx
def remove_saved(c: Context, name: str) -> None:
    """Remove the saved search NAME."""
    with c.app() as (agg, user):
        found = agg.searches.get_saved_search(user, name)
        agg.searches.remove_saved_search(user, found.id)
    echo(f'removed "{found.name}"')
