"""Retries that wait: Retry-After honoured, exponential backoff with jitter otherwise."""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawler.config import read_options, setting_name
from crawler.fetch.closing import Closing

from .backoff import backoff_delay, parse_retry_after
from .common import count_outcome, site_of
from .errors import ShutdownCancelled
from .failures import classify_failure
from .options import RetryOptions

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = setting_name(RetryOptions, "max_retry_after")  # named when it gives up


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (same RETRY_* settings, same ``retry/*`` stats), but retries wait.

    Replaces ``scrapy.downloadermiddlewares.retry.RetryMiddleware`` at 550. Settings
    (:class:`~crawler.middlewares.options.RetryOptions`):

    * ``SYNDICRAWL_FETCH_MAX_RETRY_AFTER``: the longest Retry-After honoured, in seconds. A
      response asking for longer is not retried: counted ``gave_up/<status>`` and
      ``retry_after_over_cap``, and handed on as the error response it is.
    * ``SYNDICRAWL_FETCH_BACKOFF_BASE`` and ``SYNDICRAWL_FETCH_BACKOFF_MAX``: without Retry-After,
      retry ``n`` waits between half and all of ``min(MAX, BASE * 2**n)`` seconds. Also used for
      retried download errors (timeouts, resets).

    Counts ``retried/<status|failure>`` and ``gave_up/<status|failure>`` per site.

    The wait happens in process_response/process_exception before the retry request is returned, so
    it holds one entry of the downloader's active set and no transfer slot: other requests to the
    same site keep flowing at the normal politeness delay. When the crawl begins to close
    (``crawler.fetch.downloader.ClosingDownloader.closing``) a wait ends at once and the retry is
    dropped with :class:`ShutdownCancelled` (the page is fetched again next run).
    """

    def __init__(
        self,
        settings: BaseSettings,
        options: RetryOptions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(settings)  # Scrapy's RETRY_* settings
        options = options or RetryOptions()
        self.max_retry_after = options.max_retry_after
        self.backoff_base = options.backoff_base
        self.backoff_max = options.backoff_max
        self.rng = rng or random.Random()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.settings, read_options(RetryOptions, crawler.settings))
        o.crawler = crawler
        return o

    def _site(self, request: Request) -> str | None:
        return site_of(request, getattr(self.crawler, "spider", None))

    def _backoff(self, request: Request) -> float:
        return backoff_delay(
            request.meta.get("retry_times", 0), self.backoff_base, self.backoff_max, self.rng
        )

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        status, site = str(response.status), self._site(request)
        header = response.headers.get(b"Retry-After")
        asked = parse_retry_after(header)
        if header is not None and asked is None:
            logger.debug(
                "Retry: unreadable Retry-After %(value)r from %(url)s; backing off instead",
                {"value": header, "url": response.url},
            )
        if asked is not None and asked > self.max_retry_after:
            count_outcome(self.stats, "gave_up", status, site=site)
            count_outcome(self.stats, "retry_after_over_cap", status, site=site)
            logger.warning(
                "Retry: %(url)s answered %(status)s with Retry-After %(asked).0f s, above "
                "%(setting)s=%(cap).0f s; not retrying",
                {
                    "url": response.url,
                    "status": status,
                    "asked": asked,
                    "setting": MAX_RETRY_AFTER,
                    "cap": self.max_retry_after,
                },
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            count_outcome(self.stats, "gave_up", status, site=site)
            return response
        delay = asked if asked is not None else self._backoff(request)
        count_outcome(self.stats, "retried", status, site=site)
        logger.debug(
            "Retry: waiting %(delay).2f s before retrying %(url)s (%(status)s)",
            {"delay": delay, "url": request.url, "status": status},
        )
        await self._wait(delay, request)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        detail, site = classify_failure(exception), self._site(request)
        retry = self._retry(request, exception)
        if retry is None:
            count_outcome(self.stats, "gave_up", detail, site=site)
            return None
        count_outcome(self.stats, "retried", detail, site=site)
        await self._wait(delay=self._backoff(request), request=request)
        return retry

    async def _wait(self, delay: float, request: Request) -> None:
        """Wait before a retry; raise ShutdownCancelled if the crawl is (or begins) closing."""
        closing = _closing_of(getattr(self, "crawler", None))
        if closing is None:  # no ClosingDownloader: a plain wait
            if delay > 0:
                await sleep(delay)
            return
        if await closing.sleep(delay):
            count_outcome(self.stats, ShutdownCancelled.reason, "retry", site=self._site(request))
            raise ShutdownCancelled(f"crawl closing, retry not sent: {request.url}")

    @property
    def stats(self) -> StatsCollector | None:
        crawler = getattr(self, "crawler", None)  # unset until from_crawler
        return crawler.stats if crawler is not None else None


def _closing_of(crawler: Crawler | None) -> Closing | None:
    """The running crawl's :class:`Closing`, when its downloader is the ClosingDownloader."""
    engine = getattr(crawler, "_engine", None)  # Crawler.engine raises before the crawl starts
    closing = getattr(getattr(engine, "downloader", None), "closing", None)
    return closing if isinstance(closing, Closing) else None
