"""The ``tidings`` group: its global options, and every command module's commands added to it."""

from __future__ import annotations

import click

from tidings import logs
from tidings.aggregator import DEFAULT_USER
from tidings.cli import categories, cleanup, copydb, entries, feeds, parse, publish, serve
from tidings.cli.context import Context, cli_error
from tidings.cli.rules import rules
from tidings.cli.searches import saved
from tidings.cli.users import user as user_group
from tidings.errors import TidingsError
from tidings.settings import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="TIDINGS_DB",
    help="Database URL: sqlite:///path or postgresql://user@host:port/db.",
)
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
        raise cli_error(exc) from exc
    ctx.obj = Context(settings, user)


for command in (
    feeds.add,
    feeds.remove,
    feeds.feeds,
    feeds.feed_options,
    feeds.refresh,
    feeds.import_opml,
    feeds.export_opml,
    entries.entries,
    entries.search,
    entries.show,
    entries.mark,
    parse.parse,
    serve.serve,
    serve.worker,
    user_group,
    rules,
    saved,
    categories.category,
    copydb.copy_db,
    publish.publish,
    cleanup.cleanup,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="tidings")
