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

# whole answers, endpoint by endpoint (§1.4, §1.5)

ITEM_REFS: dict[str, Any] = {
    "type": "object",
    "required": ["itemRefs"],  # Capy: non-null, [] when empty
    "properties": {
        "itemRefs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                # NetNewsWire String? and Reeder (FreshRSS#2620): a decimal string
                "properties": {"id": {"type": "string", "pattern": "^[1-9][0-9]{0,15}$"}},
            },
        },
        "continuation": {"type": "string", "minLength": 1},  # Reeder: a string, never a number
    },
}
STREAM: dict[str, Any] = {
    "type": "object",
    "required": ["id", "updated", "items"],  # NetNewsWire: id String, updated Int
    "properties": {
        "id": {"type": "string"},
        "updated": {"type": "integer"},
        "items": {"type": "array", "items": ITEM},
        "continuation": {"type": "string", "minLength": 1},
    },
}
SUBSCRIPTIONS: dict[str, Any] = {
    "type": "object",
    "required": ["subscriptions"],
    "properties": {"subscriptions": {"type": "array", "items": SUBSCRIPTION}},
}
TAGS: dict[str, Any] = {
    "type": "object",
    "required": ["tags"],
    "properties": {
        "tags": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": "^user/-/(label/.+|state/com\\.google/.+)$",
                    },
                    "type": {"enum": ["folder", "tag"]},  # Capy's enum throws on others
                },
            },
        }
    },
}
UNREAD_COUNTS: dict[str, Any] = {
    "type": "object",
    "required": ["max", "unreadcounts"],
    "properties": {
        "max": {"type": "integer"},
        "unreadcounts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "count", "newestItemTimestampUsec"],
                "properties": {
                    "id": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0},
                    "newestItemTimestampUsec": DIGITS,  # FeedMe#20: never ""
                },
            },
        },
    },
}
USER_INFO: dict[str, Any] = {
    "type": "object",
    "required": ["userId", "userName", "userProfileId", "userEmail"],
    "properties": {
        k: {"type": "string"} for k in ("userId", "userName", "userProfileId", "userEmail")
    },
}
QUICKADD: dict[str, Any] = {
    "type": "object",
    "required": ["numResults"],  # NetNewsWire: a required Int
    "properties": {
        "numResults": {"type": "integer"},
        "query": {"type": "string"},
        "streamId": {"type": "string", "pattern": "^feed/[0-9]+$"},
        "streamName": {"type": "string"},
        "error": {"type": "string"},
    },
}
