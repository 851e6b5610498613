"""Output for a terminal. Titles, errors and texts come from feeds: none of them may
move the cursor, retitle the window or restyle the output (#11). Control characters
(C0 but tab and newline, DEL, C1) are printed as visible escapes, and Rich tables get
plain ``Text``, never markup."""

from __future__ import annotations

import json
import re
from typing import Any

import click
from rich.text import Text

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# what json.dumps(ensure_ascii=False) leaves raw: DEL and the C1 controls
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character but tab and newline made visible."""
    return _UNSAFE.sub(_visible, text)


def json_safe(dumped: str) -> str:
    """JSON text with DEL and C1 controls escaped (they only occur inside strings)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that may hold what a feed wrote."""
    click.echo(terminal_safe(text), err=err, nl=nl)


def echo_styled(text: str) -> None:
    """``click.echo`` for text whose parts from feeds went through
    :func:`terminal_safe` and whose styling is Tidings' own (click drops it when
    standard output is no terminal)."""
    click.echo(text)


def cell(text: str) -> Text:
    """A Rich table cell shown as written: no markup, no control characters."""
    return Text(terminal_safe(text))


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (the ``--json`` of every command)."""
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))
