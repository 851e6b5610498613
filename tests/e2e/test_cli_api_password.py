"""`tidings user api-password NAME`: the API password, apart from the web password (#12)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from conftest import Tidings

from tidings.adapters.store import open_store
from tidings.aggregator.accounts import Accounts


def _cli(tidings: Tidings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("tidings")
    return subprocess.run(
        [str(exe), *args], input=stdin, env=tidings.env, capture_output=True, text=True
    )


def _accounts(tidings: Tidings) -> Accounts:
    return Accounts(open_store(tidings.env["TIDINGS_DB"]))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_api_password_from_stdin_prompt_and_generated(tidings: Tidings) -> None:
    assert (
        _cli(tidings, "user", "add", "ana", "--password-stdin", stdin="web password 1\n").returncode
        == 0
    )
    done = _cli(
        tidings, "user", "api-password", "ana", "--password-stdin", stdin="api password 1\n"
    )
    assert done.returncode == 0, done.stderr
    assert "API password changed for ana" in done.stdout
    accounts = _accounts(tidings)
    try:
        ana = accounts.fever_user(_md5("ana:api password 1"))
        assert ana is not None and ana.name == "ana"
        assert accounts.fever_user(_md5("ana:api password 1").upper()) == ana  # any case
        assert accounts.fever_user(_md5("ana:web password 1")) is None  # not the web one
        assert accounts.api_login("ana", "api password 1") is not None
        assert accounts.api_login("ana", "web password 1") is None
        assert accounts.authenticate("ana", "web password 1") == ana  # web unchanged
        assert accounts.authenticate("ana", "api password 1") is None
        assert accounts.api_generation(ana.id) == 1
    finally:
        accounts.store.close()

    # the prompt asks twice
    prompted = _cli(
        tidings, "user", "api-password", "ana", stdin="api password 2\napi password 2\n"
    )
    assert prompted.returncode == 0, prompted.stderr
    mismatch = _cli(tidings, "user", "api-password", "ana", stdin="api password 3\nother one\n")
    assert mismatch.returncode != 0

    generated = _cli(tidings, "user", "api-password", "ana", "--generate")
    assert generated.returncode == 0, generated.stderr
    password = generated.stdout.strip()
    assert len(password) >= 20 and " " not in password
    accounts = _accounts(tidings)
    try:
        assert accounts.fever_user(_md5("ana:api password 2")) is None  # the old key is dead
        user = accounts.fever_user(_md5(f"ana:{password}"))
        assert user is not None and user.name == "ana"
        assert accounts.api_generation(user.id) == 3
    finally:
        accounts.store.close()


def test_api_password_refusals(tidings: Tidings) -> None:
    missing = _cli(tidings, "user", "api-password", "nobody", "--generate")
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr
    _cli(tidings, "user", "add", "ana", "--password-stdin", stdin="web password 1\n")
    short = _cli(tidings, "user", "api-password", "ana", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    both = _cli(tidings, "user", "api-password", "ana", "--password-stdin", "--generate")
    assert both.returncode == 2
    assert "Traceback" not in short.stderr + both.stderr + missing.stderr
