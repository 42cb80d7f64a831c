"""``GcTuning``: fewer, cheaper garbage collections in the crawl process.

The crawl process allocates many short-lived container objects per page (Twisted's Deferreds,
Scrapy's requests and responses, the stages' results), so CPython's default first-generation
threshold (700 allocations) runs a collection every few pages, each also walking the start-up
objects (modules, settings, the registry) that will never be garbage. Measured in
``syndicrawl bench`` crawls with two pool workers (3,000 articles of ~115 KB): ~0.4 ms of the
crawl process's CPU per article went to collections; with the start-up objects frozen
(:func:`gc.freeze`) and a threshold of 50,000, ~0.03 ms. The crawl process is the pool's shared
bottleneck (``pipelines/runtime/pool.py``), so this is throughput. Pool workers are not tuned: they collect
rarely already (trafilatura's trees are lxml's, not Python containers).

Cyclic garbage still goes: the older generations keep Python's defaults, so a full collection
still runs (CPython's own rule: once the objects that survived since the last one are a quarter of
those it would scan).

Settings (:class:`~pipelines.runtime.options.GcOptions`):

``SYNDICRAWL_GC_FREEZE``
    Freeze the objects alive when the spider opens (unfrozen when the engine stops).
``SYNDICRAWL_GC_THRESHOLD``
    First-generation threshold while crawling (0 keeps Python's).

Stats: ``syndicrawl/gc/collections_count`` and ``syndicrawl/gc/cpu_seconds`` (the crawl process's
CPU in collections, whichever thread ran them).
"""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.config import read_options, setting_name
from pipelines.runtime.options import GcOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

STAGE = "gc"


class GcTuning:
    def __init__(self, crawler: Crawler, options: GcOptions) -> None:
        self.crawler = crawler
        self.freeze = options.freeze
        self.threshold = options.threshold
        self._saved: tuple[int, int, int] | None = None
        self._started = 0.0
        self.collections = 0
        self.cpu_seconds = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        options = read_options(GcOptions, crawler.settings)
        if not options.freeze and not options.threshold:
            freeze, threshold = (setting_name(GcOptions, a) for a in ("freeze", "threshold"))
            raise NotConfigured(f"GcTuning: {freeze} and {threshold} are off")
        extension = cls(crawler, options)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self) -> None:
        gc.callbacks.append(self._on_gc)
        if self.freeze:
            gc.collect()  # what is garbage now is not frozen with the rest
            gc.freeze()
        if self.threshold:
            self._saved = gc.get_threshold()
            gc.set_threshold(self.threshold, *self._saved[1:])

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # thread CPU, not process CPU: the other threads (pool I/O) run on during a collection
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.collections += 1
            self.cpu_seconds += time.thread_time() - self._started

    def spider_closed(self) -> None:
        stats = self.crawler.stats
        count(stats, STAGE, "collections", value=self.collections)
        count(stats, STAGE, "cpu_seconds", value=self.cpu_seconds)

    def engine_stopped(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self.freeze:
            gc.unfreeze()
