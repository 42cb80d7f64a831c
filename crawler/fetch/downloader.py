"""Scrapy's Downloader, but a closing crawl sends nothing more and cuts what hangs."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later, create_looping_call
from twisted.python.failure import Failure

from crawler.config import read_options, setting_name
from crawler.middlewares.common import count_outcome
from crawler.middlewares.errors import ShutdownCancelled

from .closing import Closing, engine_closing
from .options import DownloaderOptions

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

WATCH_SECONDS = 0.2  # how often the engine is checked for a close that began
SHUTDOWN_GRACE = setting_name(DownloaderOptions, "shutdown_grace_seconds")  # named in the log


class ClosingDownloader(Downloader):
    """``DOWNLOADER``: Scrapy's Downloader until the crawl begins to close, then nothing new is sent.

    Why a subclass: Scrapy's graceful close (the first SIGINT/SIGTERM, or a spider closing) waits for
    every request the engine already gave the downloader, and up to ``CONCURRENT_REQUESTS`` of them
    wait in a site's slot, still sent one per slot delay: a site slowed down kept a shutdown
    fetching for minutes. Once :func:`~crawler.fetch.closing.engine_closing` turns true (checked
    every 0.2 s):

    * every request waiting in a slot, and every one that reaches the downloader later, fails with
      :class:`ShutdownCancelled` without being sent, counted ``cancelled_at_shutdown/unsent`` per
      site (the spider's errback records nothing as seen, so the next run fetches it);
    * downloads still running ``SYNDICRAWL_FETCH_SHUTDOWN_GRACE_SECONDS``
      (:class:`~crawler.fetch.options.DownloaderOptions`) after the close began are cancelled the same way, ``cancelled_at_shutdown/cut`` (each is also bounded
      by its DOWNLOAD_TIMEOUT);
    * :attr:`closing` ends the retry middleware's backoff waits at once.

    What reached the item pipelines is still processed and exported by Scrapy's close.
    """

    def __init__(self, crawler: Crawler, options: DownloaderOptions | None = None) -> None:
        super().__init__(crawler)
        # Scrapy's engine builds its DOWNLOADER as cls(crawler), never through from_crawler: so
        # without options given, they are read here.
        options = options or read_options(DownloaderOptions, crawler.settings)
        self.closing = Closing()
        self.grace = options.shutdown_grace_seconds
        self._transfers: dict[Request, asyncio.Task[Any]] = {}
        self._cut: set[Request] = set()
        self._watch: Any = None
        crawler.signals.connect(self._start_watch, signal=signals.spider_opened)
        crawler.signals.connect(self._stop_watch, signal=signals.spider_closed)

    # --- noticing the close -----------------------------------------------------------------
    def _start_watch(self, spider: Spider) -> None:
        self._watch = create_looping_call(self._check)
        self._watch.start(WATCH_SECONDS, now=False)

    def _stop_watch(self, spider: Spider) -> None:
        if self._watch is not None and self._watch.running:
            self._watch.stop()

    def _check(self) -> None:
        if not self.closing.started and engine_closing(self.crawler):
            self.begin_close()

    def begin_close(self) -> None:
        """Stop sending: fail what waits in the slots, end backoff waits, cut transfers later."""
        if self.closing.started:
            return
        self.closing.begin()
        queued = sum(len(slot.queue) for slot in self.slots.values())
        for slot in self.slots.values():
            self._cancel_queued(slot)
        busy = bool(queued or self._transfers)  # a crawl that finished has nothing left
        logger.log(
            logging.INFO if busy else logging.DEBUG,
            "Downloader (closing): %(queued)d queued request(s) not sent; %(running)d download(s) "
            "get %(grace).1f s (%(setting)s) to finish",
            {
                "queued": queued,
                "running": len(self._transfers),
                "grace": self.grace,
                "setting": SHUTDOWN_GRACE,
            },
        )
        if self._transfers:
            call_later(self.grace, self._cut_transfers)

    # --- what stops -------------------------------------------------------------------------
    def _process_queue(self, slot: Slot) -> None:
        if self.closing.started:
            self._cancel_queued(slot)
            return
        super()._process_queue(slot)

    def _cancel_queued(self, slot: Slot) -> None:
        if slot.latercall:
            slot.latercall.cancel()
            slot.latercall = None
        while slot.queue:
            request, queue_dfd = slot.queue.popleft()
            self._fail(request, queue_dfd, "not sent")

    def _cut_transfers(self) -> None:
        for request, task in list(self._transfers.items()):
            self._cut.add(request)
            task.cancel()

    async def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> None:
        # Each transfer runs in its own task (Downloader._process_queue schedules this coroutine),
        # so a transfer past the grace is cut by cancelling that task.
        task = asyncio.current_task()
        if task is not None:
            self._transfers[request] = task
        try:
            await super()._wait_for_download(slot, request, queue_dfd)
        except asyncio.CancelledError:
            if request not in self._cut:
                raise
            if task is not None:
                task.uncancel()
            self._fail(request, queue_dfd, f"still downloading {self.grace:.1f} s after the close")
        finally:
            self._transfers.pop(request, None)
            self._cut.discard(request)

    def _fail(self, request: Request, queue_dfd: Deferred[Response], why: str) -> None:
        # Counted here, not in the spider's errback: robots.txt requests have no errback.
        detail = "unsent" if why == "not sent" else "cut"
        count_outcome(
            self.crawler.stats, ShutdownCancelled.reason, detail, site=request.meta.get("site")
        )
        queue_dfd.errback(Failure(ShutdownCancelled(f"crawl closing, {why}: {request.url}")))
