"""``tidings parse``: one feed parsed and shown, nothing stored (the facade's ``read_feed``)."""

from __future__ import annotations

import asyncio

import click

from tidings.aggregator import read_feed
from tidings.api.serialize import feed_data_json
from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import echo, echo_json
from tidings.errors import TidingsError


@click.command()
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
        echo(feed_data_text(feed))
