"""Every options class that declares settings (:mod:`crawler.config`), in the order of
docs/configuration.md's table. ``crawler/settings.py`` takes its ``SYNDICRAWL_*`` defaults from
them, so importing this module must stay cheap: declaration modules import nothing heavy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.config import Options, check_settings
from crawler.distributed.options import DistributedOptions
from crawler.fetch.options import DownloaderOptions, ThrottleOptions
from crawler.middlewares.options import AddressGuardOptions, BudgetOptions, RetryOptions
from crawler.monitoring.options import MonitorOptions, NotifyOptions, PrometheusOptions
from crawler.options import BrowserOptions, ProgressOptions, RunOptions
from crawler.spiders.options import SpiderOptions
from pipelines.runtime.options import GcOptions, PoolOptions
from pipelines.stage_options import (
    CleanStageOptions,
    DatesStageOptions,
    ExportStageOptions,
    ExtractStageOptions,
    SyndicationStageOptions,
)

OPTIONS: tuple[type[Options], ...] = (
    RunOptions,
    ProgressOptions,
    BrowserOptions,
    SpiderOptions,
    AddressGuardOptions,
    BudgetOptions,
    RetryOptions,
    ThrottleOptions,
    DownloaderOptions,
    ExtractStageOptions,
    PoolOptions,
    GcOptions,
    CleanStageOptions,
    DatesStageOptions,
    SyndicationStageOptions,
    ExportStageOptions,
    MonitorOptions,
    NotifyOptions,
    PrometheusOptions,
    DistributedOptions,
)


def check_all(settings: Mapping[str, Any]) -> None:
    """Raise :class:`crawler.config.BadSetting` for the first bad ``SYNDICRAWL_*`` value in
    ``settings``: a run checks them all before it crawls anything."""
    check_settings(OPTIONS, settings)
