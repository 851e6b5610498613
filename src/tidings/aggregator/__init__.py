"""The facade and its services; ``make_app`` wires the adapters in (``wiring``).

``web``, ``api`` and ``cli`` import from here and never from ``tidings.adapters``.
"""

from tidings.aggregator.facade import DEFAULT_USER, Aggregator
from tidings.aggregator.subscriptions import UNSET, Unset
from tidings.aggregator.wiring import copy_database, make_app, read_feed

__all__ = [
    "DEFAULT_USER",
    "UNSET",
    "Aggregator",
    "Unset",
    "copy_database",
    "make_app",
    "read_feed",
]
