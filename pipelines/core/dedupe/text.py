"""Text normalisation, tokens, word shingles and exact hashes, all stable across processes.

Python's ``hash()`` is salted per process, so every hash here comes from blake2b (tokens, cached)
mixed with numpy arithmetic (shingles): the same text gives the same numbers in every run and on
every worker sharing an index.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

SHINGLE_WORDS = 5
LEAD_WORDS = 50

# Scripts written without spaces: each character is one token.
_TOKEN_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u1000-\u109f]|[^\W_]+"
)
_PUBLISHER_DROP = re.compile(r"[^\w]+")
_PUBLISHER_SUFFIXES = ("com", "news", "net", "org", "co", "uk", "online")

# Shingle mixing constants (odd 64-bit), one per word position.
_POS_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)


class _TokenCache(dict[str, int]):
    """token -> stable 64-bit hash, computed on first sight (``map`` over ``__getitem__`` is fast)."""

    def __missing__(self, word: str) -> int:
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        self[word] = value
        return value


_TOKEN_CACHE = _TokenCache()
_TOKEN_CACHE_MAX = 500_000  # ~60 MB worst case; cleared, not grown, past this


def normalise(text: str) -> str:
    """NFKC, casefolded, punctuation replaced by single spaces."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """Word tokens of ``text``: NFKC, casefolded, punctuation dropped; CJK/Thai/Burmese per character."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def token_hashes(words: list[str]) -> np.ndarray:
    """Stable 64-bit hash of each token (uint64 array)."""
    if len(_TOKEN_CACHE) > _TOKEN_CACHE_MAX:
        _TOKEN_CACHE.clear()
    return np.fromiter(map(_TOKEN_CACHE.__getitem__, words), dtype=np.uint64, count=len(words))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the output (vectorised, wraps mod 2**64)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_hashes(hashed: np.ndarray, size: int = SHINGLE_WORDS) -> np.ndarray:
    """64-bit hashes of every ``size``-word window (one window for shorter texts); not deduplicated."""
    n = len(hashed)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    size = min(size, n, len(_POS_MULT))
    count = n - size + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(size):
            acc += hashed[j : j + count] * _POS_MULT[j]
    return _mix(acc)


def hash_words(words: list[str]) -> int:
    """Stable signed 63-bit hash of a word sequence (fits SQLite INTEGER and Redis keys)."""
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def body_hash(words: list[str]) -> int:
    return hash_words(words)


def lead_hash(words: list[str], lead_words: int = LEAD_WORDS) -> int:
    """Hash of the first ``lead_words`` tokens: equal leads mean a shared opening (or a trim)."""
    return hash_words(words[:lead_words])


def publisher_key(name: str | None) -> str | None:
    """Normalised publisher name for matching credits: 'Al Jazeera', 'AlJazeera.com' -> 'aljazeera'."""
    if not name:
        return None
    key = _PUBLISHER_DROP.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(key) > 1 and key[-1] in _PUBLISHER_SUFFIXES:
        key.pop()
    if key and key[0] == "the" and len(key) > 1:
        key = key[1:]
    return "".join(key) or None
