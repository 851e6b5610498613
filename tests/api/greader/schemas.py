"""JSON Schemas built from the clients' decoders (clientapis.md §1.5): what the
strictest of NetNewsWire, Capy, NewsFlash, Fluent and Read You require. A field a
client declares non-null is required here; a type one client fails on is fixed."""

from __future__ import annotations

from typing import Any

DIGITS = {"type": "string", "pattern": "^[0-9]+$"}
HREF = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}

ITEM: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "crawlTimeMsec",
        "timestampUsec",
        "published",
        "title",
        "summary",
        "canonical",
        "alternate",
        "categories",
        "origin",
    ],
    "properties": {
        # Read You drops any other form; Capy and Vienna compare it as a string
        "id": {"type": "string", "pattern": "^tag:google\\.com,2005:reader/item/[0-9a-f]{16}$"},
        "crawlTimeMsec": DIGITS,  # NetNewsWire: String? (a number throws); milliseconds
        "timestampUsec": DIGITS,  # NewsFlash: required String
        "published": {"type": "integer"},  # Capy: required Long; NetNewsWire: Double?
        "updated": {"type": "integer"},
        "title": {"type": "string"},  # Capy: required, non-null
        "author": {"type": "string"},
        "summary": {  # the only body NetNewsWire, Read You and Fluent read
            "type": "object",
            "required": ["content"],
            "properties": {"content": {"type": "string"}},
        },
        "canonical": {"type": "array", "minItems": 1, "items": HREF},  # Fluent: [0].href
        "alternate": {"type": "array", "minItems": 1, "items": HREF},  # NewsFlash: required
        "categories": {"type": "array", "items": {"type": "string"}},
        "origin": {  # Capy requires all three; streamId is the feed key everywhere
            "type": "object",
            "required": ["streamId", "title", "htmlUrl"],
            "properties": {
                "streamId": {"type": "string", "pattern": "^feed/[0-9]+$"},
                "title": {"type": "string"},
                "htmlUrl": {"type": "string"},
            },
        },
        "enclosure": {"type": "array", "items": HREF},  # href, not Miniflux's url
    },
    "not": {"required": ["content"]},  # NewsFlash aliases content to summary
}

SUBSCRIPTION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "categories", "url", "htmlUrl"],
    "properties": {
        "id": {"type": "string", "pattern": "^feed/[0-9]+$"},  # Vienna: starts with feed/
        "title": {"type": "string"},  # Capy: required
        "categories": {  # NetNewsWire: {id, label} both required
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {
                    "id": {"type": "string", "pattern": "^user/-/label/.+"},
                    "label": {"type": "string"},
                },
            },
        },
        "url": {"type": "string", "minLength": 1},  # Read You: url ?: htmlUrl non-null
        "htmlUrl": {"type": "string"},  # Capy: required non-null
        "iconUrl": {"type": "string", "pattern": "^https?://"},
    },
}
