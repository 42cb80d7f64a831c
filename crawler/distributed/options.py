"""Settings of the distributed mode (declarations only: light to import, unlike the modules that
talk to Redis; see :mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Options, same_as, setting
from crawler.options import RunOptions
from pipelines.stage_options import SyndicationStageOptions

PREFIX_PATTERN = r"[A-Za-z0-9][A-Za-z0-9:_-]{0,99}"  # it starts every Redis key of the run


@dataclass(frozen=True, kw_only=True)
class DistributedOptions(Options):
    """``crawler.distributed.context.WorkerContext`` and ``syndicrawl crawl --redis``."""

    enabled: bool = setting(
        "SYNDICRAWL_DISTRIBUTED_ENABLED", False, "distributed mode (set by `crawl --redis`)"
    )
    prefix: str = setting(
        "SYNDICRAWL_DISTRIBUTED_PREFIX",
        "syndicrawl",
        "Redis key prefix of the distributed crawl",
        pattern=PREFIX_PATTERN,
    )
    heartbeat_seconds: float = setting(
        "SYNDICRAWL_DISTRIBUTED_HEARTBEAT_SECONDS",
        5.0,
        "worker heartbeat; a worker is dead after 3 misses",
        above=0,
    )
    seed_only: bool = setting(
        "SYNDICRAWL_DISTRIBUTED_SEED_ONLY",
        False,
        "set by `crawl --seed-only`",
        fixed_by="set by `syndicrawl crawl --seed-only`",
    )
    worker_id: str = setting(
        "SYNDICRAWL_DISTRIBUTED_WORKER_ID",
        "",
        "this worker's id in keys and part names",
        shown="host-pid-random",
    )
    redis_url: str = same_as(SyndicationStageOptions, "redis_url")
    run_id: str = same_as(RunOptions, "run_id")
