"""Bare trafilatura measured inside the benchmark crawl: same pages, same processes, same minutes.

The VM's speed drifts by up to ~30% over minutes, and a page costs more CPU on a machine as loaded
as during a crawl, so bare trafilatura timed before or after a crawl is not a fair yardstick for
the crawl's own CPU.
:class:`BaselineSampler` (an item pipeline ahead of extract, bench only) sends every
``SYNDICRAWL_BENCH_BARE_EVERY``-th page to the crawl's pool as one more task,
``trafilatura.extract(html)`` with its defaults, and adds the task's CPU to
:data:`BARE_CPU_STAT` and its page to :data:`BARE_PAGES_STAT`. The bench subtracts that CPU from
the crawl's, so CPU per article stays the pipeline's own. The same figures per site, and per site
the pages given to the pipeline and the items that came out of it (:class:`SiteCounter`, after
export), go under :data:`BY_SITE_STAT` ``/<site>/<figure>``: the real-pages crawl reports them per
sub-corpus.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.items import ArticleItem
from pipelines.runtime.pool import StagePool, WorkerState

EVERY_SETTING = "SYNDICRAWL_BENCH_BARE_EVERY"
BARE_CPU_STAT = "syndicrawl/bench/bare_trafilatura_cpu_seconds"
BARE_PAGES_STAT = "syndicrawl/bench/bare_trafilatura_pages"
BARE_FOUND_STAT = "syndicrawl/bench/bare_trafilatura_extracted"
BARE_FAILED_STAT = "syndicrawl/bench/bare_trafilatura_failed"
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
        try:
            found, _, cpu = await StagePool.for_crawler(self.crawler).run(
                bare_extract_task, item.html
            )
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
