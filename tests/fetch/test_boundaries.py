"""A18: every outbound request goes through the guarded fetcher.

An AST lint over ``src/``: outside the fetcher modules, nothing may import an
HTTP client (httpx, requests, urllib3, urllib.request, http.client, pycurl),
use aiohttp's client (ClientSession, TCPConnector, aiohttp.request), open raw
connections (socket.create_connection, asyncio.open_connection) or let a
library fetch URLs by itself (trafilatura.fetch_url / trafilatura.downloads).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tidings"
FETCHER_MODULES = {
    "adapters/http/fetcher.py",
    "adapters/http/body.py",
    "adapters/http/hints.py",
    "adapters/http/netguard.py",
}
BANNED_MODULES = (
    "httpx",
    "requests",
    "urllib3",
    "urllib.request",
    "http.client",
    "pycurl",
    "trafilatura.downloads",
)
BANNED_NAMES = {
    "aiohttp": {"ClientSession", "TCPConnector", "BaseConnector", "request", "ClientRequest"},
    "urllib": {"request"},
    "http": {"client"},
    "trafilatura": {"fetch_url", "fetch_response", "downloads"},
    "socket": {"create_connection"},
    "asyncio": {"open_connection"},
}


def _banned_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in BANNED_MODULES)


def find_violations(source: str) -> list[str]:
    """The outbound-network uses in one module's source."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if _banned_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if _banned_module(node.module):
                found.append(f"from {node.module} import ...")
            banned = BANNED_NAMES.get(node.module, set())
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name in banned]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr in BANNED_NAMES.get(node.value.id, set())
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def _modules() -> list[Path]:
    return sorted(
        p for p in SRC.rglob("*.py") if p.relative_to(SRC).as_posix() not in FETCHER_MODULES
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_no_outbound_http_outside_the_fetcher(path: Path) -> None:
    assert find_violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import httpx",
        "import requests.adapters",
        "import urllib.request",
        "from urllib.request import urlopen",
        "from urllib import request",
        "import http.client",
        "from aiohttp import ClientSession",
        "import aiohttp\nsession = aiohttp.ClientSession()",
        "import aiohttp\naiohttp.request('GET', u)",
        "import trafilatura\ntrafilatura.fetch_url(u)",
        "from trafilatura import fetch_url",
        "import socket\nsocket.create_connection((h, 80))",
        "import asyncio\nasyncio.open_connection(h, 80)",
    ],
)
def test_the_lint_catches_each_pattern(snippet: str) -> None:
    assert find_violations(snippet)


def test_the_lint_allows_harmless_imports() -> None:
    assert find_violations("from urllib.parse import urljoin\nimport aiohttp.web\n") == []


def test_the_fetcher_modules_exist() -> None:
    for name in FETCHER_MODULES:
        assert (SRC / name).is_file(), name
