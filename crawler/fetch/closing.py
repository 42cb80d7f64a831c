"""When the crawl began to close, and a wait that ends as soon as it does."""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.utils.asyncio import is_asyncio_available, sleep

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def engine_closing(crawler: Crawler) -> bool:
    """True once the crawl began to close.

    A shutdown (SIGINT/SIGTERM, ``Crawler.stop_async``) clears ``crawler.crawling`` at once; a
    spider closing for another reason (CloseSpider, a broken pool) shows only on the engine's slot,
    where Scrapy 2.19 keeps its ``closing`` Deferred (no signal is sent when a close begins).
    """
    if not crawler.crawling:
        return True
    engine = crawler._engine  # unset before the crawl starts (Crawler.engine would raise)
    if engine is None:
        return False
    slot = getattr(engine, "_slot", None)
    return slot is None or getattr(slot, "closing", None) is not None


class Closing:
    """Whether the crawl is closing, since when, and :meth:`sleep`, which ends when it begins."""

    def __init__(self) -> None:
        self.since: float | None = None  # time.monotonic() when the close began
        self._event: asyncio.Event | None = None

    @property
    def started(self) -> bool:
        return self.since is not None

    def begin(self) -> None:
        if self.since is not None:
            return
        self.since = monotonic()
        if self._event is not None:
            self._event.set()

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; True as soon as the close begins (at once if it already has)."""
        if self.started:
            return True
        if seconds <= 0:
            return False
        if not is_asyncio_available():  # a non-asyncio reactor: no early end
            await sleep(seconds)
            return self.started
        if self._event is None:
            self._event = asyncio.Event()  # made in the running loop
        try:
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
