"""Package shape: public names, lazy imports, the import contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tidings


def test_all_is_sorted_and_complete() -> None:
    assert tidings.__all__ == sorted(tidings.__all__)
    for name in tidings.__all__:
        assert getattr(tidings, name) is not None


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_imports_no_framework_or_driver() -> None:
    loaded = _loaded_after("import tidings.core.schedule, tidings.core.dedupe, tidings.core.decide")
    for heavy in ("aiohttp", "starlette", "jinja2", "sqlite3", "psycopg", "uvicorn", "click"):
        assert heavy not in loaded, heavy


def test_parser_imports_no_framework_or_driver() -> None:
    loaded = _loaded_after(
        "import tidings.parser, tidings.refresh.pipeline, tidings.refresh.batch, tidings.refresh.process"
    )
    for heavy in ("aiohttp", "starlette", "jinja2", "sqlite3", "psycopg", "uvicorn", "click"):
        assert heavy not in loaded, heavy


def test_import_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_network_client_outside_the_fetcher() -> None:
    """HOSTILE A18: every outbound request goes through the guarded fetcher."""
    src = Path(tidings.__file__).parent
    allowed = {"adapters/http/fetcher.py", "adapters/http/body.py", "adapters/http/hints.py",
               "adapters/http/netguard.py"}
    needles = ("aiohttp.ClientSession", "ClientSession(", "httpx.", "requests.", "urllib.request",
               "urlopen(", "http.client")
    for path in src.rglob("*.py"):
        rel = path.relative_to(src).as_posix()
        if rel in allowed:
            continue
        text = path.read_text("utf-8")
        for needle in needles:
            assert needle not in text, f"{rel} uses {needle}"


def test_the_enrich_step_loads_the_extractor_only_once_a_page_came() -> None:
    """A refresh that meets only 304s, or wants no article page, never pays for
    trafilatura's import (~0.3 s): the enrich step imports it when a page arrives."""
    loaded = _loaded_after(
        "import tidings.aggregator.facade, tidings.refresh.enrich, tidings.content.story"
    )
    assert "trafilatura" not in loaded
