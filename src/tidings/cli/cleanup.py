"""``tidings cleanup``: delete old entries as the retention settings say (#15)."""

from __future__ import annotations

import dataclasses

import click

from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import echo, echo_json


@click.command()
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def cleanup(c: Context, dry_run: bool, as_json: bool) -> None:
    """Delete old entries: read by every subscriber and older than
    retention_read_days, or older than retention_unread_days; never starred or
    tagged ones, nor the retention_keep_per_feed newest of a feed (0 days: kept
    for ever). serve and worker do this every cleanup_every seconds.

    Exits 1 when another process is cleaning up the database at that moment.
    """
    with c.aggregator() as agg:
        retention = agg.cleanup.retention
        counts = agg.cleanup.count() if dry_run else agg.cleanup.run()
    if counts is None:
        raise click.ClickException("another cleanup is running on this database; try later")
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                **dataclasses.asdict(counts),
                "retention": dataclasses.asdict(retention),
            }
        )
        return
    kept = (
        f"read entries kept {_days(retention.read_days)}, unread {_days(retention.unread_days)}, "
        f"the newest {retention.keep_per_feed} of each feed always"
    )
    if dry_run:
        echo(f"would delete {counts.entries} entries ({counts.read} read by everyone); {kept}")
        return
    echo(
        f"deleted {counts.entries} entries ({counts.read} read by everyone), "
        f"{counts.search_rows} search rows, {counts.story_keys} story keys; "
        f"{counts.tombstones} guids kept so that their feeds do not bring them back; {kept}"
    )


def _days(days: int) -> str:
    return "for ever" if days <= 0 else f"{days} days"
