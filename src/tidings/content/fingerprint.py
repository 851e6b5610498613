"""What makes two copies of a story recognisable: canonical URL, text keys, MinHash.

- ``canonical_url``: scheme, ``www.``/``m.``/``amp.`` hosts, AMP paths,
  tracking parameters and fragments, and parameter order do not matter.
- ``text_key``: a digest of all the normalized words, for texts long enough
  that equality means "the same story" (a blurb such as "Watch the video" does not).
- ``lead_key``: a digest of the first ``LEAD_WORDS`` words: a teaser and the
  full article it introduces start alike, and so do copies that differ only
  in a credit line or a share bar at the end.
- ``minhash``: a 64-value MinHash of the set of word 3-shingles (one-permutation
  hashing with rotation densification: one hash per shingle), whose agreement
  estimates the Jaccard similarity of two texts. Near duplicates (a trimmed
  paragraph, an editor's note, edited words) agree on at least ``MIN_JACCARD``
  of their values; the threshold was chosen by measurement (docs/benchmarks.md,
  "Dedupe"). SimHash was measured too and lost (same section).
- ``band_keys``: LSH bands of ``ROWS`` values; two signatures that agree on
  half their values share a band with probability above 0.94. (12 bands of 2
  need 15 keys per entry instead of 24 and find as much, but bring 2.6x the
  candidate rows to verify: docs/benchmarks.md, "Dedupe".)
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from tidings.content.clutter import strip_tracking

__all__ = [
    "LEAD_WORDS",
    "MIN_EXACT_WORDS",
    "MIN_JACCARD",
    "MIN_NEAR_WORDS",
    "band_keys",
    "canonical_url",
    "jaccard",
    "key_of",
    "lead_key",
    "minhash",
    "minhash_from_bytes",
    "minhash_to_bytes",
    "text_key",
]

MIN_EXACT_WORDS = 15
LEAD_WORDS = 15
MIN_NEAR_WORDS = 30
MIN_JACCARD = 0.5
PERMUTATIONS = 64
ROWS = 3
BANDS = PERMUTATIONS // ROWS
_SHINGLE = 3
_EMPTY = 1 << 32
_GOLDEN = 0x9E3779B9
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_AMP_QUERY = frozenset({"amp", "outputtype", "output", "_amp"})
_TRIVIAL_PATHS = frozenset({"", "/", "/index.html", "/index.php", "/home"})


def canonical_url(url: str | None) -> str | None:
    """A comparison key for an article URL, or None for site-root or odd URLs."""
    if not url:
        return None
    try:
        parts = urlsplit(strip_tracking(url.strip()))
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    path = parts.path or "/"
    for suffix in ("/amp/", "/amp", ".amp", "/amp.html"):
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)] or "/"
            break
    path = path.rstrip("/") or "/"
    # a fragment can name the post on a page of many ("day.html#a080636"); "#xtor=RSS-1" tracks
    fragment = parts.fragment if "=" not in parts.fragment else ""
    if path.lower() in _TRIVIAL_PATHS and not parts.query and not fragment:
        return None
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _AMP_QUERY
    )
    return (
        f"{host}{path}"
        + (f"?{urlencode(query)}" if query else "")
        + (f"#{fragment}" * bool(fragment))
    )


def _digest(words: Sequence[str]) -> str:
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()


def text_key(words: Sequence[str]) -> str | None:
    """Digest of the normalized text; None for texts under ``MIN_EXACT_WORDS`` words."""
    return _digest(words) if len(words) >= MIN_EXACT_WORDS else None


def lead_key(words: Sequence[str]) -> str | None:
    """Digest of the first ``LEAD_WORDS`` words (None for shorter texts)."""
    return _digest(words[:LEAD_WORDS]) if len(words) >= LEAD_WORDS else None


_WORD_HASHES: dict[str, int] = {}  # per process; words repeat across entries and feeds
_MAX_WORD_HASHES = 200_000


def _h64(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        if len(_WORD_HASHES) >= _MAX_WORD_HASHES:
            _WORD_HASHES.clear()
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        value = _WORD_HASHES[word] = int.from_bytes(digest, "big")
    return value


def minhash(words: Sequence[str]) -> tuple[int, ...] | None:
    """MinHash signature (``PERMUTATIONS`` 32-bit values) of the text's 3-shingles;
    None under ``MIN_NEAR_WORDS`` words. Each distinct word is hashed once (blake2b);
    a shingle's hash is its three word hashes mixed by multiply and xor-shift
    (unsigned 64-bit arithmetic, vectorized: 5x the pure-Python loop)."""
    if len(words) < MIN_NEAR_WORDS:
        return None
    import numpy as np  # here: the processes that never hash a text never load it (~25 MB)

    known = list(map(_WORD_HASHES.get, words))
    if None in known:
        known = [_h64(w) if v is None else v for v, w in zip(known, words, strict=True)]
    u64 = np.uint64
    h = np.array(known, dtype=u64)
    x = h[:-2] * u64(0x9E3779B97F4A7C15) + h[1:-1] * u64(0xC2B2AE3D27D4EB4F) + h[2:]
    x = (x ^ (x >> u64(29))) * u64(0xBF58476D1CE4E5B9)
    mins = np.full(PERMUTATIONS, _EMPTY, dtype=u64)
    np.minimum.at(mins, (x >> u64(58)).astype(np.intp), (x >> u64(26)) & u64(0xFFFFFFFF))
    return tuple(_densify(mins.tolist()))


def _densify(mins: list[int]) -> list[int]:
    """Fill empty buckets from the next filled one (rotation), offset by the distance."""
    if _EMPTY not in mins:
        return mins
    out = list(mins)
    for i, value in enumerate(mins):
        if value == _EMPTY:
            step = 1
            while mins[(i + step) % PERMUTATIONS] == _EMPTY:
                step += 1
            out[i] = (mins[(i + step) % PERMUTATIONS] + step * _GOLDEN) & 0xFFFFFFFF
    return out


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The Jaccard similarity two signatures estimate."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / PERMUTATIONS


def band_keys(signature: Sequence[int]) -> list[str]:
    """One key per LSH band of ``ROWS`` values."""
    return [
        f"{band}:" + ",".join(str(v) for v in signature[band * ROWS : (band + 1) * ROWS])
        for band in range(BANDS)
    ]


def minhash_to_bytes(signature: Sequence[int]) -> bytes:
    return array("I", signature).tobytes()


def minhash_from_bytes(blob: bytes | None) -> tuple[int, ...] | None:
    if not blob or len(blob) != PERMUTATIONS * 4:
        return None
    values = array("I")
    values.frombytes(blob)
    return tuple(values)


def key_of(kind: str, value: str) -> int:
    """A signed 64-bit integer for an index key (SQLite INTEGER)."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
