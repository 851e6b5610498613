"""tidings.publish is pure: importing it loads no framework, driver or HTTP client (#14)."""

from __future__ import annotations

import subprocess
import sys


def test_publish_imports_no_framework_driver_or_client() -> None:
    code = "import sys, tidings.publish; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert "tidings.publish" in loaded
    heavy = ("aiohttp", "starlette", "jinja2", "sqlite3", "psycopg", "uvicorn", "click", "httpx")
    for name in (
        *heavy,
        "tidings.aggregator",
        "tidings.web",
        "tidings.adapters",
        "tidings.content",
    ):
        assert name not in loaded, name
