"""Google Reader ids: items and streams, in every form real clients send
(``../shared/research/clientapis.md`` §1.3).

Item ids are Tidings' entry ids, positive and below 2**53 (JavaScript clients
hold them as numbers). Out, an ``itemRefs`` id is a decimal string and an item's
``id`` the long form ``tag:google.com,2005:reader/item/`` + 16 lowercase hex digits.
In, the long form's prefix means hex of any length or case (NetNewsWire sent it
unpadded before 2026-08); a bare 16-character string that is all hex and starts
with ``0`` or holds a letter is hex (Reeder); anything else is signed decimal (Read
You, Fluent, Liferea), a negative one being the 64-bit two's complement of the hex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ITEM_PREFIX",
    "MAX_ITEM_ID",
    "Stream",
    "feed_stream",
    "item_long_id",
    "item_ref_id",
    "label_stream",
    "parse_item_id",
    "parse_stream",
    "state_stream",
]

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
MAX_ITEM_ID = 2**53 - 1
_HEX = frozenset("0123456789abcdefABCDEF")
_STATE = "state/com.google/"

State = Literal["reading-list", "read", "starred", "kept-unread"]
_STATES: frozenset[str] = frozenset({"reading-list", "read", "starred", "kept-unread"})


def item_ref_id(entry_id: int) -> str:
    """The id of an entry in ``stream/items/ids``' ``itemRefs``: decimal."""
    return str(entry_id)


def item_long_id(entry_id: int) -> str:
    """The ``id`` of an entry in ``stream/items/contents``: the 16-hex long form."""
    return f"{ITEM_PREFIX}{entry_id:016x}"


def parse_item_id(text: str) -> int:
    """An item id in any form clients send; ``ValueError`` if it names no possible entry."""
    raw = text.strip()
    if raw[: len(ITEM_PREFIX)].lower() == ITEM_PREFIX:
        value = _hex(raw[len(ITEM_PREFIX) :], text)
    elif len(raw) == 16 and set(raw) <= _HEX and (raw[0] == "0" or not raw.isdigit()):
        value = _hex(raw, text)
    else:
        value = _decimal(raw, text)
    if not 0 < value <= MAX_ITEM_ID:
        raise ValueError(f"not an item id: {text!r}")
    return value


def _hex(digits: str, text: str) -> int:
    if not digits or len(digits) > 16 or not set(digits) <= _HEX:
        raise ValueError(f"not an item id: {text!r}")
    return int(digits, 16)


def _decimal(digits: str, text: str) -> int:
    body = digits[1:] if digits[:1] == "-" else digits
    if not body or len(body) > 20 or not (body.isascii() and body.isdigit()):
        raise ValueError(f"not an item id: {text!r}")
    value = int(digits)
    if value < 0:  # a signed 64-bit reading of the hex form
        value += 2**64
    return value


@dataclass(frozen=True, slots=True)
class Stream:
    """A stream id, parsed: a state of the user's, a label, or one feed (by id, or by
    URL where a client subscribes with ``feed/<url>``)."""

    kind: Literal["state", "label", "feed"]
    state: State | None = None
    label: str | None = None
    feed_id: int | None = None
    feed_url: str | None = None


def state_stream(state: State) -> str:
    return f"user/-/{_STATE}{state}"


def label_stream(name: str) -> str:
    return f"user/-/label/{name}"


def feed_stream(feed_id: int) -> str:
    return f"feed/{feed_id}"


def parse_stream(text: str) -> Stream:
    """A stream id: ``user/<anyone>/state/com.google/<state>``, ``user/<anyone>/label/<name>``,
    ``feed/<id>`` (also Reeder's ``feed/feed/<id>``) or ``feed/<url>``; ``ValueError``
    for anything else."""
    raw = text.strip()
    if raw.startswith("user/"):
        _, _, rest = raw[len("user/") :].partition("/")
        if rest.startswith(_STATE) and rest[len(_STATE) :] in _STATES:
            state: State = rest[len(_STATE) :]  # type: ignore[assignment]
            return Stream("state", state=state)
        if rest.startswith("label/") and rest[len("label/") :].strip():
            return Stream("label", label=rest[len("label/") :])
        raise ValueError(f"unknown stream: {text!r}")
    if raw.startswith("feed/"):
        rest = raw
        while rest.startswith("feed/"):
            rest = rest[len("feed/") :]
        if rest.isascii() and rest.isdigit() and 0 < len(rest) <= 16 and int(rest) > 0:
            return Stream("feed", feed_id=int(rest))
        if rest.lower().startswith(("http://", "https://")):
            return Stream("feed", feed_url=rest)
    raise ValueError(f"unknown stream: {text!r}")
