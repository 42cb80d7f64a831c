"""``DistributedRun``: a worker's membership of the run (heartbeat, idle handling, drops).

* ``spider_opened``: join the run (state idle, heartbeat), record the run's start once.
* every ``SYNDICRAWL_DISTRIBUTED_HEARTBEAT_SECONDS``: refresh the heartbeat; a worker that misses
  three beats is dead and its in-flight requests go back to the queue.
* ``spider_idle`` (this worker has nothing to do): mark idle, requeue dead workers' requests, and
  stay open (``DontCloseSpider``) until the run is seeded, the queue is empty and no other live
  worker is busy: then no request can appear any more.
* every ``POLL_SECONDS`` while the shared queue is not empty: wake the engine, so an idle worker
  takes requests other workers queued within half a second instead of at Scrapy's 5 s heartbeat.
* ``item_dropped`` / ``item_error``: the article's request is acked (nothing to store).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from crawler.distributed.context import WorkerContext, context_for
from crawler.distributed.frontier import IDLE
from crawler.items import ArticleItem
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STAGE = "distributed"
POLL_SECONDS = 0.5


class DistributedRun:
    def __init__(self, context: WorkerContext, crawler: Crawler | None = None) -> None:
        self.context = context
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self._beat: task.LoopingCall | None = None
        self._poll: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(context_for(crawler), crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_finished, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_finished, signal=signals.item_error)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        context = self.context
        context.frontier.join(context.worker)
        self._beat = task.LoopingCall(self._heartbeat)
        self._beat.start(context.heartbeat_seconds, now=False)
        if not context.seed_only:
            self._poll = task.LoopingCall(self._wake_if_queued)
            self._poll.start(POLL_SECONDS, now=False)
        logger.info(
            "Distributed: worker %(worker)s joined run %(run)s (%(queued)d request(s) queued)",
            {"worker": context.worker, "run": context.keys.run_id, "queued": len(context.frontier)},
        )

    def _heartbeat(self) -> None:
        try:
            self.context.frontier.beat(self.context.worker)
        except Exception:  # a Redis hiccup must not stop the loop; the TTL covers a few misses
            logger.warning(
                "Distributed: heartbeat of %(worker)s failed",
                {"worker": self.context.worker},
                exc_info=True,
            )

    def _wake_if_queued(self) -> None:
        # The engine only asks the scheduler again after a response or at its 5 s heartbeat; its
        # slot's ``nextcall`` is the documented-in-code way to ask now. Without it, polling is slower.
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is None or getattr(slot, "closing", None):
            return
        try:
            if len(self.context.frontier):
                nextcall.schedule()
        except Exception:
            logger.warning("Distributed: polling the queue failed", exc_info=True)

    def spider_idle(self, spider: Spider) -> None:
        context = self.context
        context.frontier.set_state(context.worker, IDLE)
        requeued = context.frontier.requeue_dead(exclude=context.worker)
        if requeued:
            count(self.stats, STAGE, "requeued", value=sum(requeued.values()))
        if context.seed_only:
            return
        if not context.board.seeded():
            if context.board.seeding_stalled():
                logger.warning(
                    "Distributed: run %(run)s is not seeded and nobody is seeding it: start a worker "
                    "(or `syndicrawl crawl --redis URL --run-id %(run)s --seed-only`)",
                    {"run": context.keys.run_id},
                )
            raise DontCloseSpider
        if not context.frontier.quiet(context.worker):
            raise DontCloseSpider
        logger.info(
            "Distributed: run %(run)s has no work left; %(worker)s stops",
            {"run": context.keys.run_id, "worker": context.worker},
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # The heartbeat keeps beating until the reactor stops (the export is done by then); the
        # command marks the worker done.
        if self._poll is not None and self._poll.running:
            self._poll.stop()

    def item_finished(
        self, item: Any, response: Any = None, spider: Any = None, **kwargs: Any
    ) -> None:
        if isinstance(item, ArticleItem):
            self.context.ack_key(item.url)
