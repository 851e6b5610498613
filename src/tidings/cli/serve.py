"""Long-running processes: ``serve`` (the web reader) and ``worker`` (the scheduler loop)."""

from __future__ import annotations

import asyncio

import click

from tidings.cli.context import Context, pass_ctx


@click.command()
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


@click.command()
@click.option("--once", is_flag=True, help="Refresh the due feeds once and exit.")
@pass_ctx
def worker(c: Context, once: bool) -> None:
    """Run the scheduler loop: refresh feeds as they come due.

    With --once, the exit status is 1 when the database failed the pass or could
    not store a feed (as for `tidings refresh`).
    """
    from tidings.cli.feeds import check_stored
    from tidings.worker.loop import run_worker

    c.log_to_stderr()
    with c.aggregator() as agg:
        summary = asyncio.run(run_worker(agg, once=once))
    if once:
        check_stored(summary)
