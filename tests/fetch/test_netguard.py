"""The SSRF policy without I/O: URL syntax (A1), address classes (A2), encodings (A3)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.adapters.http.netguard import NetworkPolicy, check_url, is_public_address
from tidings.errors import DestinationNotAllowedError, InvalidURLError

# A1: schemes


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "dict://127.0.0.1:11211/stat",
        "ftp://example.com/feed.xml",
        "ldap://example.com/",
        "javascript:alert(1)",
        "data:text/xml,<rss/>",
        "jar:http://example.com/a.jar!/feed.xml",
        "feed:file:///etc/passwd",
        "feed:javascript:alert(1)",
        "example.com/feed",
        "//example.com/feed",
        "http://",
        "http:///feed",
        "http:example.com",
        "http://exa mple.com/",
        "http://example.com\\@evil.test/",
        "http://example.com:0/",
        "http://example.com:70000/",
        "http://exa\x00mple.com/",
        "",
    ],
)
def test_check_url_rejects_non_http(url: str) -> None:
    with pytest.raises(InvalidURLError):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("feed://example.com/rss", "http://example.com/rss"),
        ("feed:https://example.com/rss", "https://example.com/rss"),
        ("feed:http://example.com/rss", "http://example.com/rss"),
        ("FEED://example.com/rss", "http://example.com/rss"),
        ("  HTTPS://example.com  ", "https://example.com/"),
        ("http://example.com/a?b=c#frag", "http://example.com/a?b=c"),
        ("http://user:pw@example.com/private.xml", "http://user:pw@example.com/private.xml"),
        ("https://bücher.example/feed", "https://bücher.example/feed"),
        ("http://[2606:4700::1111]:8080/x", "http://[2606:4700::1111]:8080/x"),
    ],
)
def test_check_url_accepts_and_rewrites(url: str, expected: str) -> None:
    assert check_url(url) == expected


@given(st.from_regex(r"\A[a-z][a-z0-9+.-]{0,10}:\Z"), st.sampled_from(["//example.com/x", "x"]))
def test_check_url_only_ever_yields_http(prefix: str, rest: str) -> None:
    try:
        result = check_url(prefix + rest)
    except InvalidURLError:
        return
    assert result.startswith(("http://", "https://"))


@given(st.text(max_size=60))
def test_check_url_raises_only_invalid_url(text: str) -> None:
    try:
        result = check_url(text)
    except InvalidURLError:
        return
    assert result.startswith(("http://", "https://"))


# A2: special-purpose addresses

REFUSED = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "::",
    "::1",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "fe80::1",
    "fe80::1%lo",
    "fd00::1",
    "fc00::1",
    "fec0::1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.170",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "198.19.255.254",
    "198.51.100.7",
    "203.0.113.9",
    "ff02::1",
    "2001:db8::1",
    "100::1",
]

# A3: IPv4 wrapped in IPv6 (Python 3.11.7 calls several of these "global")
REFUSED_WRAPPED = [
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "::10.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",
    "2002:7f00:1::",
    "2002:a9fe:a9fe::1",
    "2002:a00:1::1",
    "::ffff:0:7f00:1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("ip", REFUSED + REFUSED_WRAPPED)
def test_policy_refuses_special_addresses(ip: str) -> None:
    policy = NetworkPolicy()
    assert not policy.is_allowed(ip, 80)
    with pytest.raises(DestinationNotAllowedError, match="destination not allowed"):
        policy.check_address(ip, 80)


@pytest.mark.parametrize("ip", ALLOWED)
def test_policy_allows_public_addresses(ip: str) -> None:
    NetworkPolicy().check_address(ip, 443)


def test_policy_refuses_garbage_address() -> None:
    assert not NetworkPolicy().is_allowed("not-an-ip", 80)


_private_v4 = st.one_of(
    *(
        st.ip_addresses(network=net)
        for net in (
            "127.0.0.0/8",
            "10.0.0.0/8",
            "169.254.0.0/16",
            "192.168.0.0/16",
            "172.16.0.0/12",
            "100.64.0.0/10",
            "0.0.0.0/8",
        )
    )
)


@given(_private_v4)
def test_no_ipv6_wrapping_unlocks_a_private_ipv4(v4: ipaddress.IPv4Address) -> None:
    n = int(v4)
    wrapped = [
        ipaddress.IPv6Address((0xFFFF << 32) | n),  # mapped
        ipaddress.IPv6Address(n) if n > 1 else ipaddress.IPv6Address(0),  # compatible
        ipaddress.IPv6Address((0x64FF9B << 96) | n),  # NAT64
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80)),  # 6to4
        ipaddress.IPv6Address((0xFFFF << 48) | n),  # SIIT translated
    ]
    assert not is_public_address(v4)
    for ip in wrapped:
        assert not is_public_address(ip), ip


# A2: the admin allowlist


def test_allowlist_opens_cidr_ip_port_and_hostname() -> None:
    policy = NetworkPolicy(
        ("127.0.0.2/32", "10.0.0.5:3000", "[fd00::1]:80", "rss-bridge:3000", "localhost")
    )
    assert policy.is_allowed("127.0.0.2", 1)
    assert not policy.is_allowed("127.0.0.3", 1)
    assert policy.is_allowed("10.0.0.5", 3000)
    assert not policy.is_allowed("10.0.0.5", 3001)
    assert policy.is_allowed("fd00::1", 80)
    assert not policy.is_allowed("fd00::1", 81)
    assert policy.is_allowed("172.18.0.4", 3000, host="rss-bridge")
    assert policy.is_allowed("172.18.0.4", 3000, host="RSS-Bridge.")
    assert not policy.is_allowed("172.18.0.4", 3001, host="rss-bridge")
    assert not policy.is_allowed("172.18.0.4", 3000, host="other")
    assert policy.is_allowed("127.0.0.1", 8080, host="localhost")
    assert policy.is_allowed("::ffff:127.0.0.2", 80)  # the allowlist sees through mapping


@pytest.mark.parametrize("entry", ["nope/x", "[::1", "1.2.3.4:99999", "a:b:c", "host:port"])
def test_allowlist_rejects_malformed_entries(entry: str) -> None:
    with pytest.raises(ValueError):
        NetworkPolicy((entry,))


def test_check_url_with_policy_refuses_literal_hosts_early() -> None:
    policy = NetworkPolicy(("127.0.0.2",))
    for url in ("http://127.0.0.1/", "http://[::ffff:7f00:1]/", "http://169.254.169.254/x"):
        with pytest.raises(DestinationNotAllowedError):
            check_url(url, policy)
    assert check_url("http://127.0.0.2:8080/f", policy) == "http://127.0.0.2:8080/f"
    assert check_url("http://names-are-checked-at-connect.test/", policy)
