"""tidings.logs: JSON and key=value lines on stderr, hostile text escaped."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest

from tidings import logs

HOSTILE = (
    "http://x.example/\n2024-01-01 level=error msg=forged\r\x1b[31mred\x1b[0m\x9b2J\u2028\u202e"
)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _emit(capsys: pytest.CaptureFixture[str], fmt: str) -> str:
    logs.configure(fmt, "info")
    log = logging.getLogger("tidings.test")
    log.debug("not shown")
    log.warning("fetch of %s failed", HOSTILE, extra={"feed_id": 7, "url": HOSTILE, "new": 0})
    return capsys.readouterr().err


def test_json_is_one_object_per_line_with_the_extra_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _emit(capsys, "json")
    assert out.endswith("\n") and out.count("\n") == 1
    line = json.loads(out)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line.pop("ts"))
    assert line == {
        "level": "warning",
        "logger": "tidings.test",
        "msg": f"fetch of {HOSTILE} failed",
        "feed_id": 7,
        "url": HOSTILE,
        "new": 0,
    }


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_hostile_text_cannot_forge_a_line_or_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = _emit(capsys, fmt)
    body = out.removesuffix("\n")
    assert "\n" not in body and "\r" not in body
    for raw in ("\x1b", "\x9b", "\u2028", "\u202e"):
        assert raw not in out


def test_text_is_key_value_with_quoting(capsys: pytest.CaptureFixture[str]) -> None:
    out = _emit(capsys, "text")
    assert out.count("\n") == 1
    assert ' level=warning logger=tidings.test msg="fetch of http://x.example/\\n2024-01-01 ' in out
    assert " feed_id=7 " in out and out.rstrip().endswith(" new=0")
    assert 'url="http://x.example/\\n2024-01-01 level=error msg=forged\\r\\x1b[31mred' in out
    assert '\\x9b2J\\u2028\\u202e"' in out
    assert out.startswith("ts=") and re.match(r"ts=\S+Z ", out)


def test_a_traceback_stays_on_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", "info")
    try:
        raise ValueError("bad\nline")
    except ValueError:
        logging.getLogger("tidings.test").exception("crashed")
    out = capsys.readouterr().err
    assert out.count("\n") == 1 and "ValueError: bad\\nline" in out and ' exc="Traceback' in out


def test_configure_again_replaces_and_levels_filter(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", "info")
    logs.configure("json", "error")
    log = logging.getLogger("tidings.test")
    log.warning("dropped")
    log.error("kept")
    out = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["msg"] for line in out] == ["kept"]
    with pytest.raises(ValueError, match="log format"):
        logs.configure("xml", "info")
