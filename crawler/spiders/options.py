"""Settings of the news spider: discovery and the seen-store (declarations only: light to import;
see :mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Options, same_as, setting
from crawler.distributed.options import DistributedOptions
from crawler.options import RunOptions


@dataclass(frozen=True, kw_only=True)
class SpiderOptions(Options):
    """``crawler.spiders.news.NewsSpider``."""

    max_listing_pages: int = setting(
        "SYNDICRAWL_DISCOVERY_MAX_LISTING_PAGES",
        20,
        "pagination depth per listing start point",
        low=0,
    )
    originals_first: bool = setting(
        "SYNDICRAWL_DISCOVERY_ORIGINALS_FIRST",
        True,
        "crawl `role: original` sites before syndicators, so copies find their originals in the "
        "same run",
    )
    incremental_enabled: bool = setting(
        "SYNDICRAWL_INCREMENTAL_ENABLED",
        True,
        "skip articles seen before whose sitemap/feed date did not change",
    )
    sites_dir: str = same_as(RunOptions, "sites_dir")
    state_dir: str = same_as(RunOptions, "state_dir")
    distributed: bool = same_as(DistributedOptions, "enabled")
    redis_url: str = same_as(DistributedOptions, "redis_url")
    distributed_prefix: str = same_as(DistributedOptions, "prefix")
