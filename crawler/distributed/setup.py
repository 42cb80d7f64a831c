"""Switch a crawl's settings to distributed mode (called by ``crawler.runner.build_settings``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.config import read_options, setting_name
from crawler.distributed.options import DistributedOptions
from pipelines.stage_options import SyndicationStageOptions

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


def apply_distributed(settings: Settings) -> None:
    """Shared scheduler, duplicate filter, seen-store, syndication index; per-worker export."""
    options = read_options(DistributedOptions, settings)
    syndication = read_options(SyndicationStageOptions, settings)
    settings.set(
        "SCHEDULER", "crawler.distributed.scheduler.DistributedScheduler", priority="cmdline"
    )
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    settings.set("SCHEDULER_PERSIST", True, priority="cmdline")
    settings.set("REDIS_URL", options.redis_url, priority="cmdline")  # scrapy-redis's own
    settings.set(setting_name(SyndicationStageOptions, "backend"), "redis", priority="cmdline")
    if syndication.redis_prefix == SyndicationStageOptions().redis_prefix:
        # The index lives under the run's prefix unless it was set on purpose.
        settings.set(
            setting_name(SyndicationStageOptions, "redis_prefix"),
            f"{options.prefix}:syn",
            priority="cmdline",
        )
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
