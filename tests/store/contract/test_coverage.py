"""Every public Store method is called by the contract module of its protocol.

Runs this package's other modules in a subprocess with the ``store`` proxy
reporting the methods each module really called (see ``conftest.py``), then
compares them with the members of ``tidings.ports.Store``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tidings.ports.store as ports
from tidings.ports import JobQueue, Store

from .conftest import CALLS_ENV

HERE = Path(__file__).parent

#: The contract module of each protocol ``Store`` is made of (and of Store's own members).
MODULES: dict[type, str] = {
    ports.AccountStore: "test_accounts",
    ports.FeedStore: "test_feeds",
    ports.RefreshStore: "test_refresh",
    ports.ReadingStore: "test_reading",
    ports.SearchStore: "test_search",
    ports.StoryStore: "test_stories",
    ports.RuleStore: "test_rules",
    ports.SyncStore: "test_sync",
    ports.WebSubStore: "test_websub",
    ports.IconStore: "test_icons",
    ports.PublishStore: "test_publishing",
    ports.PlaybackStore: "test_playback",
    ports.RetentionStore: "test_retention",
    ports.SavedSearchStore: "test_saved_searches",
    JobQueue: "test_jobs",
    Store: "test_store",
}


def _methods(protocol: type) -> set[str]:
    """The public methods ``protocol`` itself declares."""
    return {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")}


def test_every_protocol_of_store_has_a_contract_module() -> None:
    protocols = {c for c in Store.__mro__ if c.__module__.startswith("tidings.ports.")}
    assert protocols == set(MODULES)
    assert all((HERE / f"{name}.py").is_file() for name in MODULES.values())
    assert sum(len(_methods(p)) for p in protocols) >= 50  # the walk finds the methods


def test_every_store_method_is_called_by_its_contract_module(tmp_path: Path) -> None:
    report = tmp_path / "calls.txt"
    report.touch()
    modules = [str(HERE / f"{name}.py") for name in MODULES.values()]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *modules,
        ],
        env={**os.environ, CALLS_ENV: str(report)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    called: dict[str, set[str]] = {}
    for line in report.read_text("utf-8").splitlines():
        module, method = line.split()
        called.setdefault(module.rsplit(".", 1)[-1], set()).add(method)
    missing = {
        f"{protocol.__name__}.{method} (in {module}.py)"
        for protocol, module in MODULES.items()
        for method in _methods(protocol) - called.get(module, set())
    }
    assert not missing, f"never called: {sorted(missing)}\n{run.stdout[-2000:]}"
