"""The replay fixture of clientapis.md §3.7, shared with the Fever tests: a real
Tidings app on loopback, two users, folders with a space and an ampersand, a feed in
no folder, a feed with no site link, odd items and mixed states."""

from __future__ import annotations

from web.conftest import make_server  # noqa: F401

from api.fever.conftest import replay  # noqa: F401  (the fixture, reused)
