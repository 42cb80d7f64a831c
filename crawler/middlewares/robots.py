"""robots.txt that fails closed.

Scrapy's RobotsTxtMiddleware allows everything when robots.txt cannot be fetched (a timeout, a
reset) and parses any body it gets, so a 503 error page also allows everything. A good citizen
does the opposite, as the big search crawlers do: when a site's robots.txt answers 5xx/429 or
cannot be fetched, nothing else on that host is fetched in this run (counted as
``syndicrawl/fetch/robots_unavailable_count`` per site, logged once). A 4xx robots.txt still means
"no rules" (allow all).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.middlewares.common import STAGE, site_of
from crawler.middlewares.errors import ShutdownCancelled
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500 or response.status == 429:
            self._unavailable(netloc, f"HTTP {response.status}", request)
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, ShutdownCancelled):
            # The crawl is closing and the downloader sends nothing more: the requests waiting for
            # this robots.txt go on to be cancelled there, not counted as refused by robots.txt.
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unavailable(netloc, type(exc).__name__)

    def _unavailable(self, netloc: str, why: str, request: Request | None = None) -> None:
        """Every request to ``netloc`` (waiting ones too) now meets a disallow-all parser."""
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
        logger.warning(
            "Robots (unavailable): robots.txt of %(netloc)s failed (%(why)s); nothing else is "
            "fetched from that host in this run",
            {"netloc": netloc, "why": why},
        )
        probe = request if request is not None else Request(f"http://{netloc}/robots.txt")
        count(self._stats, STAGE, "robots_unavailable", site=site_of(probe, self.crawler.spider))
