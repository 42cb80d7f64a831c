"""``MonitorStats``: a Scrapy extension counting, per site, the figures the monitors need.

Scrapy counts drops per reason for the whole run only (``item_dropped_reasons_count/<Reason>``) and
bytes for the whole run only; the layout monitors need them per site, and need to know which
exported items lack a date or text. This extension listens to Scrapy's signals and counts::

    syndicrawl/site/<site>/monitor/scraped_count           items that passed every stage
    syndicrawl/site/<site>/monitor/undated_count            ... of them without published_at
    syndicrawl/site/<site>/monitor/no_text_count            ... of them without text
    syndicrawl/site/<site>/monitor/dropped_count/<Reason>   drops, by DropItem class
    syndicrawl/site/<site>/monitor/response_bytes           response body bytes

Enable with ``EXTENSIONS = {"crawler.monitoring.extension.MonitorStats": 500}``; disable with
``SYNDICRAWL_MONITOR_ENABLED = False``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import read_options, setting_name
from crawler.monitoring.options import MonitorOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

STAGE = "monitor"


class MonitorStats:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not read_options(MonitorOptions, crawler.settings).enabled:
            name = setting_name(MonitorOptions, "enabled")
            raise NotConfigured(f"MonitorStats: {name} is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    def item_scraped(self, item: Any, **kwargs: Any) -> None:
        site = getattr(item, "site", None)
        if not site:
            return
        stats = self.crawler.stats
        count(stats, STAGE, "scraped", site=site)
        if not getattr(item, "published_at", None):
            count(stats, STAGE, "undated", site=site)
        if not (getattr(item, "text", None) or "").strip():
            count(stats, STAGE, "no_text", site=site)

    def item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        site = getattr(item, "site", None)
        if site:
            count(self.crawler.stats, STAGE, "dropped", type(exception).__name__, site=site)

    def response_received(self, response: Response, request: Request, **kwargs: Any) -> None:
        site = request.meta.get("site")
        if isinstance(site, str) and site:
            count(self.crawler.stats, STAGE, "response_bytes", site=site, value=len(response.body))
