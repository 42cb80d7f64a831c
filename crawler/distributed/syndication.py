"""``LockedSyndicationPipeline`` [400]: the syndication stage, one article at a time across workers.

The detector reads the shared index (candidates, pending credited copies), decides, then writes
links. Two workers doing that at once for a copy and its original each see an index without the
other and both call their article unique. A Redis lock per run makes the read-decide-write step
atomic across workers, as it is within one process; it is held for milliseconds per article.
Links to records spooled earlier are picked up when parts are made (``DistributedExportPipeline``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from crawler.distributed.context import WorkerContext, context_for
from pipelines.syndication import SyndicationPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem

LOCK_TIMEOUT_SECONDS = 60  # a worker killed while holding the lock frees it after this long


class LockedSyndicationPipeline(SyndicationPipeline):
    """The syndication stage with its read-decide-write step under a per-run Redis lock.

    Why a subclass: within one process the stage handles one article at a time; across workers
    a copy and its original could each be judged against an index without the other.
    """

    context: WorkerContext
    _lock: Any

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = super().from_crawler(crawler)
        assert isinstance(pipeline, cls)
        pipeline.context = context_for(crawler)
        pipeline._lock = pipeline.context.client.lock(
            f"{pipeline.context.keys.base}:syndication-lock",
            timeout=LOCK_TIMEOUT_SECONDS,
            blocking_timeout=LOCK_TIMEOUT_SECONDS,
        )
        return pipeline

    def process_item(self, item: ArticleItem) -> ArticleItem:
        with self._lock:
            return super().process_item(item)
