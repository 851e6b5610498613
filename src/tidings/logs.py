"""Log output for ``serve``, ``worker`` and ``refresh``: one line per record on stderr.

``json``: one object per line, ``{"ts", "level", "logger", "msg", ...}`` plus the
fields a call passes with ``extra=``. ``text``: the same fields as ``key=value``.
Either way, text from the outside world (feed URLs, error messages) is escaped:
a newline or a terminal escape in it can neither start a forged line nor reach
the terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = ["FORMATS", "LEVELS", "configure"]

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error", "critical")

# LogRecord attributes; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

# Control characters, line and paragraph separators, bidi overrides and isolates.
_UNSAFE = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)]
_UNSAFE += range(0x2066, 0x206A)
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _UNSAFE}  # json.dumps leaves these but C0 raw
_TEXT_ESCAPES = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}
_TEXT_ESCAPES |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_TEXT_ESCAPES |= {ord("\\"): "\\\\", ord('"'): '\\"'}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
    out: dict[str, Any] = {
        "ts": ts.replace("+00:00", "Z"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    out |= {k: v for k, v in vars(record).items() if k not in _STANDARD and k not in out}
    if record.exc_info:
        out["exc"] = logging.Formatter().formatException(record.exc_info)
    elif record.stack_info:
        out["stack"] = record.stack_info
    return out


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line = json.dumps(_fields(record), ensure_ascii=False, default=str)
        return line.translate(_JSON_ESCAPES)  # only inside strings: valid JSON escapes


class TextFormatter(logging.Formatter):
    """``ts=… level=… logger=… msg="…" key=value …`` (logfmt)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{k}={_text_value(v)}" for k, v in _fields(record).items())


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    escaped = text.translate(_TEXT_ESCAPES)
    if escaped == text and text and not any(c in text for c in ' ="'):
        return text
    return f'"{escaped}"'


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (a progress bar may wrap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr


_handler: logging.Handler | None = None


def configure(format: str = "text", level: str = "info") -> None:
    """Send every log record at ``level`` or above to stderr in ``format``.

    The one place logging is set up; calling it again replaces the earlier setup.
    """
    global _handler
    if format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}: {format!r}")
    if level.lower() not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}: {level!r}")
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = _Stderr()
    _handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    root.addHandler(_handler)
    root.setLevel(level.upper())
