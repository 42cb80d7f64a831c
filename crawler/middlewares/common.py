"""What the fetch middlewares share: the stage's stat keys and which site a request is for (their
settings are declared in :mod:`crawler.middlewares.options` and :mod:`crawler.fetch.options`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipelines.stats import count

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

STAGE = "fetch"  # the stage part of every stat key these middlewares write

# Request kinds the spider sets in meta["kind"].
HTML_KINDS = frozenset({"article", "listing"})
XML_KINDS = frozenset({"feed", "sitemap"})


def site_of(request: Request, spider: Any) -> str | None:
    """The site a request belongs to: ``meta["site"]``, else by host against ``spider.sites``.

    Requests Scrapy makes itself (robots.txt) carry no meta, so the host decides for them.
    """
    site = request.meta.get("site")
    if isinstance(site, str) and site:
        return site
    sites = getattr(spider, "sites", None)
    if not sites:
        return None
    for name, config in sites.items():
        if config.owns(request.url):  # host, or host:port when the site is bound to a port
            return str(name)
    return None


def site_config(spider: Any, site: str | None) -> Any | None:
    """The spider's SiteConfig for ``site``, or None (no spider, no ``sites``, unknown site)."""
    if site is None:
        return None
    sites = getattr(spider, "sites", None)
    if not sites:
        return None
    return sites.get(site)


def count_outcome(stats: Any, outcome: str, detail: str | None = None, *, site: str | None) -> None:
    """Count ``outcome`` for the run and the site, and its ``detail`` breakdown for the run.

    Keys: ``syndicrawl/fetch/<outcome>_count``, ``syndicrawl/site/<site>/fetch/<outcome>_count``
    and ``syndicrawl/fetch/<outcome>_count/<detail>`` (the detail is not split per site, to keep
    the number of keys small).
    """
    count(stats, STAGE, outcome, site=site)
    if detail is not None:
        count(stats, STAGE, outcome, detail)


class SiteAwareMiddleware:
    """Base of the middlewares that count per site: the stats and a way to reach the spider's
    site registry (the spider exists only once the crawl starts)."""

    def __init__(
        self,
        *,
        stats: StatsCollector | None = None,
        spider_getter: Callable[[], object] | None = None,
    ) -> None:
        self.stats = stats
        self._spider_getter = spider_getter or (lambda: None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(stats=crawler.stats, spider_getter=lambda: crawler.spider)
