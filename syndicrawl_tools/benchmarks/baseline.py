"""Bare trafilatura measured inside the benchmark crawl: same pages, same processes, same minutes.

The VM's speed drifts by up to ~30% over minutes, and a page costs more CPU on a machine as loaded
as during a crawl, so bare trafilatura timed before or after a crawl is not a fair yardstick for
the crawl's own CPU.
:class:`BaselineSampler` (an item pipeline ahead of extract, bench only) sends every
``SYNDICRAWL_BENCH_BARE_EVERY``-th page to the crawl's pool as one more task,
``trafilatura.extract(html)`` with its defaults, and adds the task's CPU to
:data:`BARE_CPU_STAT` and its page to :data:`BARE_PAGES_STAT`. The bench subtracts that CPU from
the crawl's, so CPU per article stays the pipeline's own. Sending the page to a worker once more is
the yardstick's cost too (~0.8 ms for a ~275 KB real page with non-ASCII text: pickling turns the
str into UTF-8 and back): the sampler times a pickling and unpickling of the same task
(:data:`BARE_DUMPS_CPU_STAT`, :data:`BARE_LOADS_CPU_STAT`), and :func:`yardstick_cpu` takes out of
the crawl's CPU that measurement, the pool's own pickling of the task, and the worker's unpickling.
The same figures per site, and per site
the pages given to the pipeline and the items that came out of it (:class:`SiteCounter`, after
export), go under :data:`BY_SITE_STAT` ``/<site>/<figure>``: the real-pages crawl reports them per
sub-corpus.
"""

from __future__ import annotations

import logging
import pickle
import time
from typing import Any

from crawler.items import ArticleItem
from pipelines.runtime.pool import StagePool, WorkerState

EVERY_SETTING = "SYNDICRAWL_BENCH_BARE_EVERY"
BARE_CPU_STAT = "syndicrawl/bench/bare_trafilatura_cpu_seconds"
BARE_PAGES_STAT = "syndicrawl/bench/bare_trafilatura_pages"
BARE_FOUND_STAT = "syndicrawl/bench/bare_trafilatura_extracted"
BARE_FAILED_STAT = "syndicrawl/bench/bare_trafilatura_failed"
BARE_DUMPS_CPU_STAT = "syndicrawl/bench/bare_trafilatura_dumps_cpu_seconds"
BARE_LOADS_CPU_STAT = "syndicrawl/bench/bare_trafilatura_loads_cpu_seconds"
BY_SITE_STAT = "syndicrawl/bench/by_site"
"""``<this>/<site>/{pages,bare_trafilatura_cpu_seconds,bare_trafilatura_pages,exported}``
(not under ``/site/``: the crawl child leaves those out of its report)."""

logger = logging.getLogger(__name__)


def bare_extract_task(state: WorkerState, html: str) -> bool:
    """The pool task: trafilatura with its defaults, as a user would call it."""
    import trafilatura

    return trafilatura.extract(html) is not None


class BaselineSampler:
    """Item pipeline: every ``every``-th page also timed with bare trafilatura in the pool."""

    def __init__(self, crawler: Any, every: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.every = every
        self.pages = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> BaselineSampler:
        return cls(crawler, crawler.settings.getint(EVERY_SETTING, 0))

    async def process_item(self, item: Any) -> Any:
        self.pages += 1
        sampled = self.every > 0 and self.pages % self.every == 0
        if not isinstance(item, ArticleItem):
            return item
        by_site = f"{BY_SITE_STAT}/{item.site}"
        self.stats.inc_value(f"{by_site}/pages", 1)
        if not (sampled and item.html):
            return item
        pool = StagePool.for_crawler(self.crawler)
        if not pool.in_process:
            self._time_transfer(item.html)
        try:
            found, _, cpu = await pool.run(bare_extract_task, item.html)
        except Exception as exc:  # the yardstick's failure is not the pipeline's: the item goes on
            logger.warning(
                "bench: bare trafilatura failed on %(url)s: %(exc)r", {"url": item.url, "exc": exc}
            )
            self.stats.inc_value(BARE_FAILED_STAT, 1)
            return item
        self.stats.inc_value(BARE_CPU_STAT, cpu)
        self.stats.inc_value(BARE_PAGES_STAT, 1)
        self.stats.inc_value(BARE_FOUND_STAT, int(bool(found)))
        self.stats.inc_value(f"{by_site}/bare_trafilatura_cpu_seconds", cpu)
        self.stats.inc_value(f"{by_site}/bare_trafilatura_pages", 1)
        return item

    def _time_transfer(self, html: str) -> None:
        """What the pool's pickling of this task costs here, and its unpickling in the worker."""
        started = time.process_time()
        payload = pickle.dumps((bare_extract_task, (html,), ()), pickle.HIGHEST_PROTOCOL)
        dumped = time.process_time()
        pickle.loads(payload)
        self.stats.inc_value(BARE_DUMPS_CPU_STAT, dumped - started)
        self.stats.inc_value(BARE_LOADS_CPU_STAT, time.process_time() - dumped)


def yardstick_cpu(stats: dict[str, Any], pooled: bool) -> tuple[float, float]:
    """CPU seconds of the crawl process and of its workers that went to the yardstick: the bare
    tasks, and with a pool the pages' second way to a worker (the sampler's own timing of it,
    the pool's pickling, the worker's unpickling)."""
    bare = float(stats.get(BARE_CPU_STAT, 0.0))
    if not pooled:
        return bare, 0.0
    dumps = float(stats.get(BARE_DUMPS_CPU_STAT, 0.0))
    loads = float(stats.get(BARE_LOADS_CPU_STAT, 0.0))
    return 2 * dumps + loads, bare + loads


class SiteCounter:
    """Item pipeline after export: the items of each site that came out of the pipeline."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteCounter:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.stats.inc_value(f"{BY_SITE_STAT}/{item.site}/exported", 1)
        return item
