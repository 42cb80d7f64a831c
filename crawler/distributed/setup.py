"""Switch a crawl's settings to distributed mode (called by ``crawler.runner.build_settings``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import Settings

EXPORT_PIPELINE = "pipelines.export.ExportPipeline"
DISTRIBUTED_EXPORT_PIPELINE = "crawler.distributed.export.DistributedExportPipeline"
SYNDICATION_PIPELINE = "pipelines.syndication.SyndicationPipeline"
LOCKED_SYNDICATION_PIPELINE = "crawler.distributed.syndication.LockedSyndicationPipeline"
# Closest to the engine: they see the final output of the callbacks and the final download errors.
SPIDER_MIDDLEWARE = ("crawler.distributed.middleware.FrontierSpiderMiddleware", 5)
DOWNLOADER_MIDDLEWARE = ("crawler.distributed.middleware.FrontierDownloaderMiddleware", 5)
EXTENSION = ("crawler.distributed.extension.DistributedRun", 100)
DEFAULT_SYNDICATION_PREFIX = "syndicrawl:syn"


def apply_distributed(settings: Settings) -> None:
    """Shared scheduler, duplicate filter, seen-store, syndication index; per-worker export."""
    prefix = settings.get("SYNDICRAWL_DISTRIBUTED_PREFIX") or "syndicrawl"
    settings.set(
        "SCHEDULER", "crawler.distributed.scheduler.DistributedScheduler", priority="cmdline"
    )
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    settings.set("SCHEDULER_PERSIST", True, priority="cmdline")
    settings.set("REDIS_URL", settings.get("SYNDICRAWL_REDIS_URL"), priority="cmdline")
    settings.set("SYNDICRAWL_SYNDICATION_BACKEND", "redis", priority="cmdline")
    if settings.get("SYNDICRAWL_SYNDICATION_REDIS_PREFIX") in (
        None,
        "",
        DEFAULT_SYNDICATION_PREFIX,
    ):
        # The index lives under the run's prefix unless it was set on purpose.
        settings.set("SYNDICRAWL_SYNDICATION_REDIS_PREFIX", f"{prefix}:syn", priority="cmdline")
    pipelines = settings.getdict("ITEM_PIPELINES")
    priority = pipelines.pop(EXPORT_PIPELINE, 500)
    pipelines[DISTRIBUTED_EXPORT_PIPELINE] = priority
    if SYNDICATION_PIPELINE in pipelines:
        pipelines[LOCKED_SYNDICATION_PIPELINE] = pipelines.pop(SYNDICATION_PIPELINE)
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    for name, (path, order) in (
        ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARE),
        ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARE),
        ("EXTENSIONS", EXTENSION),
    ):
        components = settings.getdict(name)
        components[path] = order
        settings.set(name, components, priority="cmdline")
