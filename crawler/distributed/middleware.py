"""Spider and downloader middlewares of distributed mode: seed once, ack finished requests.

A popped request carries its frontier token in ``meta["syndicrawl_token"]``. It is acked when:

* its response went through the spider: the callback's (or errback's) output was consumed, so
  every request it produced is in the shared queue (``FrontierSpiderMiddleware``);
* an article response produced a record: not yet. The token waits in ``WorkerContext.deferred``
  until the record is in a stored part (``DistributedExportPipeline``) or the item is dropped;
* its download failed for good (``FrontierDownloaderMiddleware.process_exception``, which only
  runs when no retry took it over);
* it came back to the scheduler as a retry or redirect (``DistributedScheduler.enqueue_request``).

Anything not acked stays in the worker's processing hash until the worker finishes cleanly; if
the worker dies first it is crawled again by another worker, which is safe: the export claims
(``RunBoard.claim``) keep each record to one copy.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, Self

from crawler.distributed.context import TOKEN_META, WorkerContext, context_for
from crawler.items import ArticleItem
from crawler.middlewares.errors import ShutdownCancelled
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STAGE = "distributed"


class FrontierSpiderMiddleware:
    """Seeds the run's start points once (first worker to take the seed lock); acks responses."""

    def __init__(self, context: WorkerContext, crawler: Crawler | None = None) -> None:
        self.context = context
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(context_for(crawler), crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        context = self.context
        if not context.board.take_seed_lock(context.worker):
            logger.info(
                "Distributed: run %(run)s is seeded by another worker; %(worker)s only crawls",
                {"run": context.keys.run_id, "worker": context.worker},
            )
            return
        context.seeder = True
        seeded = 0
        async for item in start:
            seeded += 1
            yield item
        # The engine asks for the next start request only after queueing this one: all are queued now.
        context.board.mark_seeded()
        count(self.stats, STAGE, "seeded", value=seeded)
        logger.info(
            "Distributed: %(worker)s seeded run %(run)s with %(n)d start request(s)",
            {"worker": context.worker, "run": context.keys.run_id, "n": seeded},
        )

    def _note(self, item: Any, token: str | None) -> bool:
        if token and isinstance(item, ArticleItem):
            self.context.deferred[item.url] = token
            return True
        return False

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        token = response.meta.get(TOKEN_META)
        deferred = False
        for item in result:
            deferred = self._note(item, token) or deferred
            yield item
        if token and not deferred:
            self.context.ack(token)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        token = response.meta.get(TOKEN_META)
        deferred = False
        async for item in result:
            deferred = self._note(item, token) or deferred
            yield item
        if token and not deferred:
            self.context.ack(token)


class FrontierDownloaderMiddleware:
    """Acks a request whose download failed for good (no middleware retried or replaced it)."""

    def __init__(self, context: WorkerContext) -> None:
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(context_for(crawler))

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, ShutdownCancelled):
            return  # never fetched: left unacked, it goes back to the queue for the other workers
        token = request.meta.get(TOKEN_META)
        if token:
            self.context.ack(token)
