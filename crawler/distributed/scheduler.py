"""scrapy-redis on Scrapy 2.19: the scheduler and request queue of distributed mode.

``scrapy_redis.scheduler.Scheduler`` (0.9.1) runs on Scrapy 2.19, with these fixes made here
instead of in the library:

* ``close()`` flushes the queue and the duplicate filter unless ``SCHEDULER_PERSIST``: one worker
  finishing would wipe the frontier of all the others. This scheduler never flushes shared state.
* pops are destructive (``ZRANGE`` + ``ZREMRANGEBYRANK``): a killed worker loses its in-flight
  requests. The queue here is :class:`crawler.distributed.frontier.Frontier` (reliable pop into a
  per-worker processing hash, acked later, requeued when the worker's heartbeat expires).
* it counts stats with ``inc_value(..., spider=...)``, deprecated in Scrapy 2.19.
* ``SCHEDULER_IDLE_BEFORE_CLOSE`` blocks the reactor in ``BRPOP`` (FIFO queues) and is ignored by
  the priority queue; idle workers are kept open by ``DistributedRun`` on ``spider_idle`` instead.
* keys are per spider name (``%(spider)s:requests``); here they are per run (``RunKeys``), so two
  runs never share a frontier.

Used unchanged: ``RFPDupeFilter`` (the shared duplicate filter, a Redis set of fingerprints of
method + canonical URL + body) and ``scrapy_redis.queue.Base`` request encoding
(``Request.to_dict``: callbacks by name, pickled). ``start_requests`` is not involved: Scrapy 2.19
reads ``async def start()``; seeding is ``SeedOnceMiddleware.process_start``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.context import TOKEN_META, WorkerContext, context_for
from crawler.distributed.frontier import Frontier

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FrontierQueue(Base):
    """scrapy-redis's queue interface (its request encoding, ``Request.to_dict``, is used as is)
    over the reliable :class:`Frontier`.

    Why a subclass: ``scrapy_redis.queue.PriorityQueue.pop`` removes the request from Redis as it
    hands it out, so a worker killed with requests in flight loses them. Here ``pop`` moves the
    request into the worker's processing hash (one Lua script) and tags it with a token that is
    acked when its work is done; a dead worker's entries go back to the queue.
    """

    def __init__(
        self, server: Any, spider: Spider, key: str, frontier: Frontier, worker: str
    ) -> None:
        super().__init__(server, spider, key)
        self.frontier = frontier
        self.worker = worker

    def __len__(self) -> int:
        return len(self.frontier)

    def push(self, request: Request) -> None:
        self.frontier.push(self._encode_request(request), request.priority)

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self.frontier.pop(self.worker)
        if popped is None:
            return None
        token, data = popped
        request = self._decode_request(data)
        request.meta[TOKEN_META] = token
        return request

    def clear(self) -> None:
        self.frontier.clear()


class DistributedScheduler(Scheduler):
    """scrapy-redis's scheduler with the shared frontier and scrapy-redis's own ``RFPDupeFilter``.

    Why a subclass (the module docstring has the details): ``close`` never flushes the shared
    queue and duplicate filter (one worker finishing would wipe every other worker's frontier);
    ``open`` uses :class:`FrontierQueue` on per-run keys instead of per-spider ones;
    ``enqueue_request`` acks the token of a popped request that comes back as a retry or redirect;
    ``next_request`` hands nothing out to a seed-only worker; stats are counted without the
    ``spider=`` argument that Scrapy 2.19 deprecates.
    """

    def __init__(self, context: WorkerContext, dupefilter: RFPDupeFilter) -> None:
        super().__init__(
            context.client,
            persist=True,
            queue_key=context.keys.queue,
            dupefilter=dupefilter,
            dupefilter_key=context.keys.dupefilter,
        )
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:  # type: ignore[override]
        context = context_for(crawler)
        context.client.ping()  # fail at start, not on the first request
        dupefilter = RFPDupeFilter(
            context.client,
            key=context.keys.dupefilter,
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        scheduler = cls(context, dupefilter)
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = FrontierQueue(
            self.server, spider, self.queue_key, self.context.frontier, self.context.worker
        )
        if len(self.queue):
            logger.info(
                "Distributed: joining run %(run)s with %(n)d queued request(s)",
                {"run": self.context.keys.run_id, "n": len(self.queue)},
            )

    def close(self, reason: str) -> None:
        # Never flush: the queue and the duplicate filter belong to every worker of the run.
        return None

    def enqueue_request(self, request: Request) -> bool:
        # A popped request coming back (retry, redirect) supersedes its own entry: ack the old token.
        old_token = request.meta.pop(TOKEN_META, None)
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if old_token:
                self.context.ack(old_token)

    def next_request(self) -> Request | None:
        if self.context.seed_only:
            return None
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return not self.context.seed_only and len(self.queue) > 0
