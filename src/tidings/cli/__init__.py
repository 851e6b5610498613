"""The ``tidings`` command: one module per command group, over the ``Aggregator`` facade."""

from tidings.cli.main import cli, main

__all__ = ["cli", "main"]
