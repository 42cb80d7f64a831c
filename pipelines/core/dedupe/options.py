"""Options of the syndication core, validated once (settings map 1:1 onto these fields)."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.core.dedupe.errors import BadSyndicationOptions

MODES = ("annotate", "originals", "separate")
BACKENDS = ("sqlite", "redis", "memory")


@dataclass(frozen=True, slots=True)
class SyndicationOptions:
    """Thresholds were tuned with ``syndicrawl eval syndication`` (figures in ``verify.py``)."""

    window_days: float = 14.0
    """Candidates must be published within this many days of the article (either side)."""
    min_containment: float = 0.5
    """Estimated containment of the shorter text in the longer at or above which a pair is a copy."""
    credited_min_score: float = 0.45
    """Lower bar for an article of the publisher the page credits (reworded copies)."""
    min_shared_keys: int = 2
    """Shared bucket keys for a candidate (a shared lead or body hash counts too)."""
    index_keys: int = 24
    """Smallest sketch values posted per article (bucket rows per article, plus 2 exact hashes)."""
    query_keys: int = 40
    """Smallest shingle values of a query looked up (more finds short stored copies of long queries)."""
    max_bucket: int = 500
    """Buckets holding more articles (boilerplate shingles) are ignored."""
    max_candidates: int = 30
    credited_scan_limit: int = 3000
    """Articles of a credited publisher compared at most, nearest in time first."""
    text_cache: int = 2000
    """Recent texts kept in memory for exact verification (rapidfuzz alignment); 0 = sketches only."""

    def __post_init__(self) -> None:
        checks = [
            ("window_days", self.window_days, 0, 3650),
            ("min_containment", self.min_containment, 0.05, 1.0),
            ("credited_min_score", self.credited_min_score, 0.05, 1.0),
            ("min_shared_keys", self.min_shared_keys, 1, 64),
            ("index_keys", self.index_keys, 4, 32),
            ("query_keys", self.query_keys, 4, 512),
            ("max_bucket", self.max_bucket, 1, 10**7),
            ("max_candidates", self.max_candidates, 1, 10**4),
            ("credited_scan_limit", self.credited_scan_limit, 0, 10**6),
            ("text_cache", self.text_cache, 0, 10**7),
        ]
        for name, value, lo, hi in checks:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not lo <= value <= hi
            ):
                # Named by field: settings reach here checked (pipelines/stage_options.py).
                raise BadSyndicationOptions(
                    f"{name}={value!r}: expected a number from {lo} to {hi}"
                )
