"""X-Hub-Signature checking: HMAC over the raw body, constant-time, never raising."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.aggregator.websub import check_signature

SECRET = "s3cret-" + "x" * 40
BODY = b"<rss><channel><item><guid>1</guid></item></channel></rss>"


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_each_method_of_the_spec_verifies(method: str) -> None:
    digest = hmac.new(SECRET.encode(), BODY, getattr(hashlib, method)).hexdigest()
    assert check_signature(SECRET, BODY, f"{method}={digest}")
    assert check_signature(SECRET, BODY, f" {method.upper()}={digest.upper()} ")
    assert not check_signature(SECRET, BODY + b"x", f"{method}={digest}")
    assert not check_signature("other", BODY, f"{method}={digest}")


@pytest.mark.parametrize(
    "header", [None, "", "sha256", "sha256=", "md5=" + "0" * 32, "=abc", "sha256=zz", "sha256=é"]
)
def test_malformed_headers_fail(header: str | None) -> None:
    assert not check_signature(SECRET, BODY, header)


@given(st.text(max_size=200), st.binary(max_size=200), st.text(max_size=30))
def test_never_raises(header: str, body: bytes, secret: str) -> None:
    assert check_signature(secret, body, header) in (True, False)
