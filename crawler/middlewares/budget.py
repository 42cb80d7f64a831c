"""Cap the number of requests each site gets per run."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

from crawler.config import read_options, setting_name

from .common import count_outcome, site_config, site_of
from .errors import BudgetExceeded
from .options import BudgetOptions

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REQUEST_BUDGET = setting_name(BudgetOptions, "request_budget")  # named in the warning


class RequestBudgetMiddleware:
    """Downloader middleware: refuse a site's requests once it has had its budget for this run.

    Settings: ``SYNDICRAWL_FETCH_REQUEST_BUDGET`` (:class:`~crawler.middlewares.options.BudgetOptions`)
    applies to every site, unless the site's SiteConfig sets ``request_budget`` (read from ``spider.sites[meta["site"]]``). Every request
    that reaches the downloader counts, retries and robots.txt included: that is what the site sees.
    Requests beyond the budget raise :class:`BudgetExceeded` and count ``budget_exceeded`` per site.
    Requests of no known site are not budgeted.
    """

    def __init__(
        self,
        options: BudgetOptions,
        *,
        stats: StatsCollector | None = None,
        spider_getter: Callable[[], object] | None = None,
    ) -> None:
        self.default_budget = options.request_budget
        self.stats = stats
        self._spider_getter = spider_getter or (lambda: None)
        self.used: Counter[str] = Counter()
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            read_options(BudgetOptions, crawler.settings),
            stats=crawler.stats,
            spider_getter=lambda: crawler.spider,
        )

    def budget_for(self, site: str) -> int:
        config = site_config(self._spider_getter(), site)
        own = getattr(config, "request_budget", None)
        return own if isinstance(own, int) and own > 0 else self.default_budget

    def remaining(self, site: str) -> int:
        """Requests ``site`` may still make (the spider can stop scheduling at 0)."""
        return max(0, self.budget_for(site) - self.used[site])

    def process_request(self, request: Request) -> None:
        site = site_of(request, self._spider_getter())
        if site is None:
            return
        budget = self.budget_for(site)
        if self.used[site] >= budget:
            count_outcome(self.stats, BudgetExceeded.reason, site=site)
            if site not in self._warned:
                self._warned.add(site)
                logger.warning(
                    "RequestBudget: site %(site)s used its budget of %(budget)d requests this run; "
                    "refusing the rest (raise request_budget in its site file or %(setting)s)",
                    {"site": site, "budget": budget, "setting": REQUEST_BUDGET},
                )
            raise BudgetExceeded(f"site {site} used its budget of {budget} requests: {request.url}")
        self.used[site] += 1
        return
