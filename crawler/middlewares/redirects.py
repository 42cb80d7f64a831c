"""End redirect loops and over-long redirect chains with a counted, typed refusal."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

from w3lib.url import safe_url_string

from .common import count_outcome, site_of
from .errors import RedirectLoop, TooManyRedirects

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectLimitMiddleware:
    """Downloader middleware in front of Scrapy's RedirectMiddleware (610 > 600).

    Scrapy follows redirects up to REDIRECT_MAX_TIMES and then raises a bare IgnoreRequest that no
    stat records; a loop back to a URL already fetched is worse: the dupefilter quietly drops the
    redirected request. This middleware sees the 3xx first and raises :class:`RedirectLoop`
    (``redirect_loop`` per site) when the target is already in the chain, or
    :class:`TooManyRedirects` (``too_many_redirects``) when Scrapy would refuse to follow it.
    Requests with ``dont_redirect`` or that handle the status themselves are left alone, as Scrapy does.
    """

    def __init__(
        self,
        max_redirect_times: int = 20,
        *,
        stats: StatsCollector | None = None,
        spider_getter: Callable[[], object] | None = None,
    ) -> None:
        self.max_redirect_times = max_redirect_times
        self.stats = stats
        self._spider_getter = spider_getter or (lambda: None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler.settings.getint("REDIRECT_MAX_TIMES"),
            stats=crawler.stats,
            spider_getter=lambda: crawler.spider,
        )

    def _handled_by_request(self, request: Request, response: Response) -> bool:
        spider = self._spider_getter()
        return bool(
            request.meta.get("dont_redirect", False)
            or response.status in getattr(spider, "handle_httpstatus_list", ())
            or response.status in request.meta.get("handle_httpstatus_list", ())
            or request.meta.get("handle_httpstatus_all", False)
        )

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if (
            response.status not in REDIRECT_STATUSES
            or not location
            or self._handled_by_request(request, response)
        ):
            return response
        if location.startswith(b"//"):
            location = request.url.split(":", 1)[0].encode() + b":" + location
        target = urldefrag(urljoin(request.url, safe_url_string(location))).url
        chain = [*request.meta.get("redirect_urls", []), request.url]
        site = site_of(request, self._spider_getter())
        if target in {urldefrag(u).url for u in chain}:
            count_outcome(self.stats, RedirectLoop.reason, site=site)
            logger.info(
                "Redirect: loop after %(n)d redirects: %(url)s -> %(target)s",
                {"n": len(chain) - 1, "url": request.url, "target": target},
            )
            raise RedirectLoop(f"redirect loop: {request.url} -> {target} (chain {chain[0]} ...)")
        ttl = request.meta.get("redirect_ttl", self.max_redirect_times)
        times = request.meta.get("redirect_times", 0) + 1
        if not ttl or times > self.max_redirect_times:
            count_outcome(self.stats, TooManyRedirects.reason, site=site)
            logger.info(
                "Redirect: %(url)s would be redirect %(n)d, above REDIRECT_MAX_TIMES=%(max)d",
                {"url": request.url, "n": times, "max": self.max_redirect_times},
            )
            raise TooManyRedirects(
                f"{times} redirects, above REDIRECT_MAX_TIMES={self.max_redirect_times}: {chain[0]} -> {target}"
            )
        return response
