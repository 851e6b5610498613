"""The ``tidings`` command: one module per command group, over the ``Aggregator`` facade.

- ``main``: the ``tidings`` group (``--db``, ``--user``, ``--log-format``, ``--log-level``) and
  ``main()``, the console script; it adds every module's commands.
- ``context``: ``Context`` (settings, the ``--user``, the facade opened for a command),
  ``pass_ctx`` and ``echo_json``.
- ``feeds``: ``add``, ``remove``, ``feeds``, ``feed-options``, ``refresh``, ``import-opml``,
  ``export-opml``.
- ``entries``: ``entries``, ``search``, ``show``, ``mark``.
- ``rules``: ``rules list|add|remove``.
- ``users``: ``user add|passwd|list``.
- ``parse``: ``parse`` (a feed read through the facade's ``read_feed``; nothing stored).
- ``serve``: ``serve`` (the web reader) and ``worker`` (the scheduler loop); their heavy imports
  happen inside the commands.
- ``textview``: plain-text views of stories and parsed feeds.

Like web and api, the CLI names no adapter (an import contract checks it).
"""

from tidings.cli.main import cli, main

__all__ = ["cli", "main"]
