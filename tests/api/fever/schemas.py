"""JSON Schemas built from the Fever clients' decoders (clientapis.md §2.2): Read You's
Gson DTOs (``auth: Int?``, ``is_read: Int?``, ``id!!``, ``url!!``), Fluent Reader's
checks (``typeof unread_item_ids === "string"``, ``feed_ids.split(",")``, JS-safe
numbers, ``item.url.split``) and NewsFlash's numeric ``last_refreshed_on_time``.
Integers must be JSON integers (jsonschema never counts a boolean as one)."""

from __future__ import annotations

from typing import Any

INT = {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}
FLAG = {"type": "integer", "enum": [0, 1]}
ID_LIST = {"type": "string", "pattern": "^([0-9]+(,[0-9]+)*)?$"}
STR = {"type": "string"}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(props),
        "properties": props,
        "additionalProperties": False,
    }


BASE: dict[str, Any] = {
    "type": "object",
    "required": ["api_version", "auth", "last_refreshed_on_time"],
    "properties": {
        "api_version": {"type": "integer", "const": 3},
        "auth": FLAG,
        "last_refreshed_on_time": INT,
        "error": STR,
    },
}

GROUP = _object({"id": INT, "title": STR})
FEEDS_GROUP = _object({"group_id": INT, "feed_ids": ID_LIST})
FEED = _object(
    {
        "id": INT,
        "favicon_id": INT,
        "title": STR,
        "url": STR,
        "site_url": STR,
        "is_spark": FLAG,
        "last_updated_on_time": INT,
    }
)
#: Fever's ``"data": "image/gif;base64,R0lGOD..."``: a type, ``;base64,``, the bytes
FAVICON = _object(
    {
        "id": {**INT, "minimum": 1},  # 0 is every favicon-less feed's favicon_id
        "data": {"type": "string", "pattern": "^image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/]+=*$"},
    }
)
ITEM = _object(
    {
        "id": INT,
        "feed_id": INT,
        "title": STR,
        "author": STR,
        "html": STR,
        "url": STR,
        "is_saved": FLAG,
        "is_read": FLAG,
        "created_on_time": INT,
    }
)

#: what each selector adds to the base
PARTS: dict[str, dict[str, Any]] = {
    "groups": {"groups": {"type": "array", "items": GROUP}},
    "feeds": {"feeds": {"type": "array", "items": FEED}},
    "feeds_groups": {"feeds_groups": {"type": "array", "items": FEEDS_GROUP}},
    "favicons": {"favicons": {"type": "array", "items": FAVICON}},
    "items": {"items": {"type": "array", "items": ITEM}, "total_items": INT},
    "links": {"links": {"type": "array"}},
    "unread_item_ids": {"unread_item_ids": ID_LIST},
    "saved_item_ids": {"saved_item_ids": ID_LIST},
}


def schema_for(*selectors: str) -> dict[str, Any]:
    """The base plus what ``selectors`` add, every added field required."""
    props = dict(BASE["properties"])
    required = list(BASE["required"])
    names = list(selectors)
    if "groups" in names or "feeds" in names:
        names.append("feeds_groups")
    for name in names:
        for key, value in PARTS.get(name, {}).items():
            props[key] = value
            required.append(key)
    return {"type": "object", "required": required, "properties": props}
