"""Settings of the item pipeline's stages (declarations only: light to import, unlike the stages
themselves; see :mod:`crawler.config`).

Each stage's ``from_crawler`` reads its class with :func:`crawler.config.read_options` and makes
its core's options from it (``DateOptions``, ``SyndicationOptions``, ``ExportOptions``, ...), whose
constructors keep their own defaults and checks for callers without settings; tests keep the two
sets of defaults equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crawler.config import Options, same_as, setting
from crawler.options import RunOptions
from pipelines.runtime.options import PoolOptions

SyndicationMode = Literal["annotate", "originals", "separate"]
SyndicationBackend = Literal["sqlite", "redis", "memory"]
Compression = Literal["gzip", "none"]
MIN_MULTIPART_THRESHOLD = 5 * 1024 * 1024  # S3's smallest part (pipelines/core/storage/sink.py)


@dataclass(frozen=True, kw_only=True)
class ExtractStageOptions(Options):
    """``pipelines.extract.ExtractPipeline`` [100]."""

    min_chars: int = setting(
        "SYNDICRAWL_EXTRACT_MIN_CHARS", 200, "shorter bodies are dropped (`BodyTooShort`)", low=0
    )
    max_html_chars: int = setting(
        "SYNDICRAWL_EXTRACT_MAX_HTML_CHARS",
        8 * 1024 * 1024,
        "larger decoded pages are dropped (`PageTooLarge`)",
        low=1,
    )
    rescue_below_chars: int = setting(
        "SYNDICRAWL_EXTRACT_RESCUE_BELOW_CHARS",
        500,
        "below this, a second, full-precision trafilatura pass",
        low=0,
    )
    reset_every: int = same_as(PoolOptions, "reset_every")


@dataclass(frozen=True, kw_only=True)
class CleanStageOptions(Options):
    """``pipelines.clean.CleanPipeline`` [200]."""

    learn_enabled: bool = setting(
        "SYNDICRAWL_CLEAN_LEARN_ENABLED",
        True,
        "learn each site's boilerplate (promos, pitches) from its own pages",
    )
    learn_min_articles: int = setting(
        "SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES",
        3,
        "distinct articles of one site a paragraph must recur in",
        low=2,  # one article cannot show recurrence
    )
    learn_max_chars: int = setting(
        "SYNDICRAWL_CLEAN_LEARN_MAX_CHARS",
        400,
        "longer paragraphs are never learned as boilerplate",
        low=1,
    )
    learn_wait_seconds: float = setting(
        "SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS",
        20.0,
        "how long a new site's first articles wait for learning",
        low=0,
    )
    learned_keep_share: float = setting(
        "SYNDICRAWL_CLEAN_LEARNED_KEEP_SHARE",
        0.5,
        "a learned pass leaving less of an article's text is undone (counted "
        "`clean/learned_undone_count`)",
        low=0,
        high=1,
    )
    state_dir: str = same_as(RunOptions, "state_dir")
    min_chars: int = same_as(ExtractStageOptions, "min_chars")


@dataclass(frozen=True, kw_only=True)
class DatesStageOptions(Options):
    """``pipelines.dates.DatesPipeline`` [300] (and the pool workers' dates core)."""

    future_skew_hours: float = setting(
        "SYNDICRAWL_DATES_FUTURE_SKEW_HOURS",
        14.0,
        "dates later than fetch time plus this are rejected",
        low=0,
    )
    min_year: int = setting(
        "SYNDICRAWL_DATES_MIN_YEAR", 1990, "earlier dates are rejected", low=1900, high=2100
    )


@dataclass(frozen=True, kw_only=True)
class SyndicationStageOptions(Options):
    """``pipelines.syndication.SyndicationPipeline`` [400]; bounds as ``SyndicationOptions``'."""

    enabled: bool = setting("SYNDICRAWL_SYNDICATION_ENABLED", True, "run the syndication stage")
    mode: SyndicationMode = setting(
        "SYNDICRAWL_SYNDICATION_MODE",
        "annotate",
        "`annotate` every record; `originals`: drop copies, originals list them; `separate`: "
        "copies flagged for their own feed",
    )
    backend: SyndicationBackend = setting(
        "SYNDICRAWL_SYNDICATION_BACKEND",
        "sqlite",
        "`sqlite` (state dir), `redis` (distributed) or `memory` (kept for the run only)",
    )
    window_days: float = setting(
        "SYNDICRAWL_SYNDICATION_WINDOW_DAYS",
        14.0,
        "copies are searched among articles published this close",
        low=0,
        high=3650,
    )
    min_containment: float = setting(
        "SYNDICRAWL_SYNDICATION_MIN_CONTAINMENT",
        0.5,
        "share of the shorter text found in the longer one to call it a copy (tuned on "
        "`eval syndication`)",
        low=0.05,
        high=1,
    )
    credited_min_score: float = setting(
        "SYNDICRAWL_SYNDICATION_CREDITED_MIN_SCORE",
        0.45,
        "lower bar for a copy that credits the candidate's publisher",
        low=0.05,
        high=1,
    )
    text_cache: int = setting(
        "SYNDICRAWL_SYNDICATION_TEXT_CACHE",
        2000,
        "recent texts kept in memory for exact alignment checks; 0: sketches only",
        low=0,
        high=10**7,
    )
    redis_prefix: str = setting(
        "SYNDICRAWL_SYNDICATION_REDIS_PREFIX", "syndicrawl:syn", "key prefix of the Redis index"
    )
    redis_url: str = setting(
        "SYNDICRAWL_REDIS_URL",
        "redis://127.0.0.1:6379/0",
        "Redis for the distributed mode and the Redis index",
    )
    state_dir: str = same_as(RunOptions, "state_dir")


@dataclass(frozen=True, kw_only=True)
class ExportStageOptions(Options):
    """``pipelines.export.ExportPipeline`` [500]; the syndication index is read for late links."""

    batch_size: int = setting("SYNDICRAWL_EXPORT_BATCH_SIZE", 500, "records per part file", low=1)
    compression: Compression = setting("SYNDICRAWL_EXPORT_COMPRESSION", "gzip", "`gzip` or `none`")
    gzip_level: int = setting(
        "SYNDICRAWL_EXPORT_GZIP_LEVEL",
        4,
        "gzip level of part files, 1 (fastest) to 9 (smallest)",
        low=1,
        high=9,
    )
    retries: int = setting(
        "SYNDICRAWL_EXPORT_RETRIES", 5, "upload retries after the first attempt", low=0
    )
    backoff_seconds: float = setting(
        "SYNDICRAWL_EXPORT_BACKOFF_SECONDS",
        1.0,
        "first retry delay, doubled each retry (max 60 s)",
        low=0,
    )
    multipart_threshold: int = setting(
        "SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD",
        64 * 1024 * 1024,
        "bytes; larger parts use multipart upload (at least 5 MiB)",
        low=MIN_MULTIPART_THRESHOLD,
    )
    output_uri: str = same_as(RunOptions, "output_uri")
    state_dir: str = same_as(RunOptions, "state_dir")
    run_id: str = same_as(RunOptions, "run_id")
    syndication_enabled: bool = same_as(SyndicationStageOptions, "enabled")
    syndication_backend: SyndicationBackend = same_as(SyndicationStageOptions, "backend")
    syndication_redis_prefix: str = same_as(SyndicationStageOptions, "redis_prefix")
    redis_url: str = same_as(SyndicationStageOptions, "redis_url")
