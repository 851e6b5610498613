"""``tidings copy-db``: copy a whole database into another, on either engine (#13)."""

from __future__ import annotations

import click

from tidings.aggregator import copy_database
from tidings.cli.context import cli_error
from tidings.cli.terminal import echo, echo_json
from tidings.errors import TidingsError
from tidings.model import CopyReport

SUMMARY = {
    "copied": "copied {rows} rows of {tables} tables in {seconds:.1f} s; counts, checksums match",
    "already copied": "already copied, verified: the target holds the source's {rows} rows",
    "verified": "verified: the target holds the source's {rows} rows",
}


@click.command("copy-db")
@click.option(
    "--from", "source", required=True, metavar="URL",
    help="The database to copy: sqlite:///path or postgresql://user@host/db.",
)  # fmt: skip
@click.option(
    "--to", "target", required=True, metavar="URL",
    help="The database to copy into: made and migrated if new; it must hold no rows.",
)  # fmt: skip
@click.option("--verify", is_flag=True, help="Only compare the two databases, table by table.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def copy_db(source: str, target: str, verify: bool, as_json: bool) -> None:
    """Copy every table of a Tidings database into another (SQLite to PostgreSQL, or
    back), ids kept, in one transaction; then compare row counts and checksums.

    A target that already holds the same rows is verified, not copied again; one
    that holds other rows is refused. Exit status 1 on any difference.
    """
    try:
        report = copy_database(source, target, verify_only=verify)
    except TidingsError as exc:
        raise cli_error(exc) from exc
    if as_json:
        echo_json(_json(report))
    else:
        _print(report)
    if not report.ok:
        raise SystemExit(1)


def _json(report: CopyReport) -> dict[str, object]:
    return {
        "outcome": report.outcome,
        "ok": report.ok,
        "tables": [
            {
                "table": t.table,
                "source_rows": t.source_rows,
                "target_rows": t.target_rows,
                "source_checksum": t.source_checksum,
                "target_checksum": t.target_checksum,
                "ok": t.ok,
            }
            for t in report.tables
        ],
        "notes": list(report.notes),
    }


def _print(report: CopyReport) -> None:
    width = max(len(t.table) for t in report.tables)
    echo(f"{'table':<{width}}  {'source':>9}  {'target':>9}")
    for t in report.tables:
        status = "ok" if t.ok else "MISMATCH"
        echo(f"{t.table:<{width}}  {t.source_rows:>9}  {t.target_rows:>9}  {status}")
    for note in report.notes:
        echo(note)
    if report.ok:
        echo(
            SUMMARY[report.outcome].format(
                rows=report.rows, tables=len(report.tables), seconds=report.seconds
            )
        )
        return
    echo("MISMATCH in " + ", ".join(t.table for t in report.tables if not t.ok))
