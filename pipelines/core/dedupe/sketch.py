"""Bottom-k MinHash sketches and containment estimates.

One hash function, the ``k`` smallest distinct 32-bit shingle hashes of a text kept (a bottom-k
MinHash). It suits containment better than a k-permutation signature banded for Jaccard: the
smallest hashes of a text that keeps 40% of a story are exactly the story's smallest hashes that
fall in the kept part, so a trimmed copy shares ~40% of the original's sketch values, whatever
their Jaccard. ``estimate_containment`` then reads containment of the shorter text in the longer
from the stored sketch of one side and the full shingle set of the other, with no text stored.

Sketches are numpy-vectorised (token hashes cached, shingles mixed in uint64 arithmetic, one
``np.unique``): see ``syndicrawl_tools/benchmarks/syndication.py`` for its speed against datasketch.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from pipelines.core.dedupe import text as T

SKETCH_K = 32
WORD_K = 24
CONTENT_WORD_CHARS = 5
_HEADER = struct.Struct("<IIBB")


@dataclass(slots=True)
class Sketch:
    """What is known of one text: small parts are stored, the full sets exist only while querying."""

    n_shingles: int
    n_words: int
    bottom: np.ndarray
    """The ``SKETCH_K`` smallest distinct shingle hashes (uint32, ascending)."""
    words_bottom: np.ndarray
    """The ``WORD_K`` smallest distinct word hashes (uint32, ascending), for reworded copies."""
    lead_hash: int
    body_hash: int
    hashed: np.ndarray | None = field(default=None, repr=False)
    """Token hashes in text order (uint64); only on a query's own sketch, for alignment."""
    shingles: np.ndarray | None = field(default=None, repr=False)
    """All distinct shingle hashes (uint32, ascending); only on a query's own sketch."""
    words: np.ndarray | None = field(default=None, repr=False)
    """All distinct word hashes (uint32, ascending); only on a query's own sketch."""

    def pack(self) -> bytes:
        """The stored form: counts and the two bottom-k arrays (~230 bytes)."""
        head = _HEADER.pack(self.n_shingles, self.n_words, len(self.bottom), len(self.words_bottom))
        return (
            head + self.bottom.astype("<u4").tobytes() + self.words_bottom.astype("<u4").tobytes()
        )

    @classmethod
    def unpack(cls, blob: bytes, lead_hash: int, body_hash: int) -> Sketch:
        n_sh, n_w, kb, kw = _HEADER.unpack_from(blob)
        off = _HEADER.size
        bottom = np.frombuffer(blob, dtype="<u4", count=kb, offset=off).astype(np.uint32)
        words = np.frombuffer(blob, dtype="<u4", count=kw, offset=off + 4 * kb).astype(np.uint32)
        return cls(n_sh, n_w, bottom, words, lead_hash, body_hash)


def _u32(values: np.ndarray) -> np.ndarray:
    return np.unique((values >> np.uint64(32)).astype(np.uint32))


def make_sketch(body: str, *, k: int = SKETCH_K, word_k: int = WORD_K) -> Sketch:
    """Sketch of ``body`` (clean text); keeps the full sets for querying."""
    words = T.tokens(body)
    hashed = T.token_hashes(words)
    shingles = _u32(T.shingle_hashes(hashed))
    # Content words only (5+ characters): short function words would make any two texts overlap.
    lengths = np.fromiter(map(len, words), dtype=np.int32, count=len(words))
    content = hashed[lengths >= CONTENT_WORD_CHARS]
    word_set = _u32(T._mix(content)) if len(content) else np.empty(0, dtype=np.uint32)
    return Sketch(
        n_shingles=len(shingles),
        n_words=len(word_set),
        bottom=shingles[:k].copy(),
        words_bottom=word_set[:word_k].copy(),
        lead_hash=T.lead_hash(words),
        body_hash=T.body_hash(words),
        hashed=hashed,
        shingles=shingles,
        words=word_set,
    )


@dataclass(frozen=True, slots=True)
class Overlap:
    containment: float
    """Estimated share of the shorter text's shingles found in the longer one."""
    jaccard: float
    samples: int
    """How many sampled values the estimate rests on (small = noisy)."""


def estimate_containment(
    stored_bottom: np.ndarray, stored_n: int, query_all: np.ndarray, query_n: int
) -> Overlap:
    """Containment of the shorter set in the longer, from one side's bottom-k and the other's full set.

    Below the stored sketch's largest value ``tau`` both memberships are known exactly (the
    stored side's values there are all in its sketch), so that range is a uniform sample of the
    union on which to count shared, stored-only and query-only values.
    """
    if stored_n == 0 or query_n == 0 or len(stored_bottom) == 0:
        return Overlap(0.0, 0.0, 0)
    complete = len(stored_bottom) >= stored_n  # sketch holds the whole set
    if complete:
        q_region = query_all
    else:
        tau = stored_bottom[-1]
        q_region = query_all[: np.searchsorted(query_all, tau, side="right")]
    shared = int(np.intersect1d(stored_bottom, q_region, assume_unique=True).size)
    stored_only = len(stored_bottom) - shared
    query_only = len(q_region) - shared
    union = shared + stored_only + query_only
    jaccard = shared / union if union else 0.0
    denom = shared + stored_only if stored_n <= query_n else shared + query_only
    if denom == 0:
        # The shorter side has no values in the sampled range: fall back to Jaccard and sizes.
        inter = jaccard * (stored_n + query_n) / (1 + jaccard)
        return Overlap(min(1.0, inter / min(stored_n, query_n)), jaccard, union)
    return Overlap(shared / denom, jaccard, denom)
