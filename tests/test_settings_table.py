"""Every setting in the table is read, with an effect (#11 item 10).

A setting nobody reads is a promise broken silently (``full_text_default`` and
``background_refresh`` once were): each name in ``SETTINGS`` must be read as an
attribute outside ``settings.py``, directly or through a ``Settings`` property
that reads it, and a few have their effect checked end to end here or where the
behaviour lives (named in ``BEHAVIOUR``).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from conftest import Tidings

import tidings
from tidings.settings import SETTINGS, Settings

SRC = Path(tidings.__file__).parent
SETTINGS_PY = SRC / "settings.py"

#: Where the behaviour of a setting is tested (beyond being read).
BEHAVIOUR = {
    "full_text_default": "tests/story/test_full_text_default.py::test_never_by_default_keeps_the_teasers",
    "background_refresh": "tests/e2e/test_serve.py::test_background_refresh_off",
    "data_dir": "tests/test_settings_table.py::test_data_dir_holds_the_default_database",
    "allow_private_networks": "tests/fetch/test_netguard.py",
    "media_proxy": "tests/web/test_media_proxy.py::test_all_proxies_every_image_and_poster",
    "media_proxy_max_bytes": (
        "tests/web/test_media_proxy.py::test_svg_a_disguised_page_and_an_oversized_image_are_refused"
    ),
    "retention_read_days": "tests/e2e/test_cli_cleanup.py::test_cleanup_with_everything_kept_deletes_nothing",
    "retention_unread_days": "tests/e2e/test_cli_cleanup.py::test_cleanup_with_everything_kept_deletes_nothing",
    "retention_keep_per_feed": "tests/e2e/test_cli_cleanup.py::test_cleanup_counts_deletes_and_the_feed_does_not_bring_them_back",
    "cleanup_every": "tests/e2e/test_cli_cleanup.py::test_the_worker_cleans_up_once_an_interval_whichever_process_runs",
}


def _code() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(SRC.rglob("*.py")) if p != SETTINGS_PY)


def _readers(name: str) -> set[str]:
    """The attribute names whose reading reads setting ``name``: itself and the
    ``Settings`` properties whose code reads it."""
    found = {name}
    sources = {
        attr: inspect.getsource(value.fget)
        for attr, value in vars(Settings).items()
        if isinstance(value, property) and value.fget is not None
    }
    grew = True
    while grew:  # a property reading a property that reads the setting reads it too
        more = {
            attr
            for attr, text in sources.items()
            if any(re.search(rf"\bself\.{r}\b", text) for r in found)
        }
        grew = not more <= found
        found |= more
    return found


def test_the_table_and_the_settings_class_agree() -> None:
    assert [s.name for s in SETTINGS] == [
        f for f in Settings.__dataclass_fields__ if f in {s.name for s in SETTINGS}
    ]
    assert {s.name for s in SETTINGS} == set(Settings.__dataclass_fields__)


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_every_setting_is_read_outside_the_table(name: str) -> None:
    code = _code()
    readers = _readers(name)
    assert any(re.search(rf"\.{attr}\b", code) for attr in readers), (
        f"setting {name!r} is read nowhere (looked for .{'/.'.join(sorted(readers))})"
    )


@pytest.mark.parametrize("name", sorted(BEHAVIOUR))
def test_the_behaviour_tests_exist(name: str) -> None:
    root = Path(__file__).parent.parent
    path, _, test = BEHAVIOUR[name].partition("::")
    text = (root / path).read_text("utf-8")
    assert not test or f"def {test}(" in text


def test_data_dir_holds_the_default_database(tidings: Tidings, tmp_path: Path) -> None:
    env = {k: v for k, v in tidings.env.items() if k != "TIDINGS_DB"}
    env["TIDINGS_DATA_DIR"] = str(tmp_path / "here")
    Tidings(env).run("add", "https://news.example/feed", "--no-discover")
    assert (tmp_path / "here" / "tidings.db").is_file()
    assert not (tmp_path / "xdg").exists()
