"""Scrapy adapter of the syndication stage [400]: link republished copies to their originals.

The work is in ``pipelines.core.dedupe``; this class maps its settings
(:class:`~pipelines.stage_options.SyndicationStageOptions`) to the core's options, feeds each item to
the detector, counts stats and applies the mode. When a link changes for a record emitted earlier
(a copy now points at an original that arrived late), a copy exported by an earlier run is fetched
again through the spider (``NewsSpider.refetch_for_relink``) and exported with the link; a record
of this run gets it when its part is made (``pipelines/export.py``). An original exported by an
earlier run keeps the copies known then (see ``_relink``).

The text's sketch comes from the pool worker that extracted the page when it sketched this very
text (:mod:`pipelines.runtime.prework`; stat ``syndicrawl/syndication/sketch_count/<worker|here>``).

Modes (``SYNDICRAWL_SYNDICATION_MODE``): ``annotate`` every record; ``originals`` drops
republications with ``CopyFilteredOut``; ``separate`` sets ``item.hints["feed"] = "copies"`` on
republications so the export stage can write them to their own feed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.config import read_options, setting_name
from crawler.items import ArticleItem
from pipelines.core.dedupe import (
    ArticleInput,
    SyndicationDetector,
    SyndicationIndex,
    SyndicationOptions,
    SyndicationUpdate,
    open_index,
)
from pipelines.errors import CopyFilteredOut
from pipelines.runtime.prework import HINT_PREWORK, Prework
from pipelines.stage_options import SyndicationStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STAGE = "syndication"
COPIES_FEED = "copies"
MODE = setting_name(SyndicationStageOptions, "mode")  # named in the drops of ``originals``
_COUNTERS = (
    "candidates",
    "verified",
    "rejected",
    "credited_candidates",
    "credited_linked",
    "pending_added",
    "pending_linked",
    "relinked",
    "known",
    "no_text",
)


def core_options(stage: SyndicationStageOptions) -> SyndicationOptions:
    """The detector's options: the settable ones from the stage, the others at their tuned values."""
    return SyndicationOptions(
        window_days=stage.window_days,
        min_containment=stage.min_containment,
        credited_min_score=stage.credited_min_score,
        text_cache=stage.text_cache,
    )


class SyndicationPipeline:
    def __init__(
        self,
        stage: SyndicationStageOptions | None = None,
        *,
        sites: Mapping[str, Any] | None = None,
        index: SyndicationIndex | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        stage = stage or SyndicationStageOptions()
        self.mode = stage.mode
        self.backend = stage.backend
        self.state_dir = stage.state_dir
        self.redis_url = stage.redis_url
        self.redis_prefix = stage.redis_prefix
        self.options = core_options(stage)
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self._sites = dict(sites) if sites is not None else None
        self._index = index
        self._detector: SyndicationDetector | None = None
        self.pending_updates: list[SyndicationUpdate] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SyndicationPipeline:
        stage = read_options(SyndicationStageOptions, crawler.settings)
        if not stage.enabled:
            name = setting_name(SyndicationStageOptions, "enabled")
            raise NotConfigured(f"SyndicationPipeline: {name} is off")
        return cls(stage, crawler=crawler)

    @property
    def detector(self) -> SyndicationDetector:
        """Opened on first use: the spider (and its ``sites``) exists by then."""
        if self._detector is None:
            sites = self._sites
            if sites is None:
                spider = getattr(self.crawler, "spider", None)
                sites = getattr(spider, "sites", None) or {}
            if self._index is None:
                self._index = open_index(
                    self.backend,
                    state_dir=self.state_dir,
                    redis_url=self.redis_url,
                    redis_prefix=self.redis_prefix,
                )
            self._detector = SyndicationDetector(self._index, sites, self.options)
        return self._detector

    def process_item(self, item: ArticleItem) -> ArticleItem:
        work: Prework | None = item.hints.get(HINT_PREWORK)
        sketch = work.sketch_for(item.text) if work else None
        if item.text:
            count(self.stats, STAGE, "sketch", "here" if sketch is None else "worker")
        result = self.detector.process(
            ArticleInput(
                url=item.url,
                text=item.text,
                site=item.site,
                canonical_url=item.canonical_url,
                title=item.title,
                published_at=item.published_at,
                credited_source=item.credited_source,
                sketch=sketch,
            )
        )
        item.syndication = result.syndication
        for name in _COUNTERS:
            if result.counters.get(name):
                count(self.stats, STAGE, name, value=result.counters[name])
        status = result.syndication.status
        count(self.stats, STAGE, "status", status, site=item.site)
        if status == "republication":
            count(self.stats, STAGE, "linked", site=item.site)
        if result.updates:
            count(self.stats, STAGE, "updated_records", value=len(result.updates))
            self._relink(result.updates)
        logger.debug(
            "syndication: %(url)s is %(status)s (%(evidence)s)",
            {"url": item.url, "status": status, "evidence": ", ".join(result.syndication.evidence)},
        )
        if status == "republication":
            if self.mode == "originals":
                raise CopyFilteredOut(
                    f"republication of {result.syndication.original_url} dropped by "
                    f"{MODE}=originals: {item.url}"
                )
            if self.mode == "separate":
                item.hints["feed"] = COPIES_FEED
        return item

    def _relink(self, updates: list[SyndicationUpdate]) -> None:
        """Records of earlier runs whose link changed are fetched again by the spider and exported
        with the new link (the latest record of a URL is its current state). Without a crawl the
        updates wait in ``pending_updates``."""
        refetch = getattr(getattr(self.crawler, "spider", None), "refetch_for_relink", None)
        for update in updates:
            if refetch is None:  # no crawl (library use, tests): the caller drains them
                self.pending_updates.append(update)
            elif update.syndication.status != "republication":
                # An original exported earlier keeps the copies known then: re-exporting a wire
                # story each time one more outlet copies it would multiply its records. Its
                # copies point at it and share its cluster_id, so the cluster stays complete.
                count(self.stats, STAGE, "original_not_reexported", site=update.site)
            elif refetch(update.url, update.site):
                count(self.stats, STAGE, "relink_refetch", site=update.site)
            # else: a record of this run; its part takes the link from the index when made

    def drain_updates(self) -> list[SyndicationUpdate]:
        """Updated records since the last call (the export stage re-emits them)."""
        updates, self.pending_updates = self.pending_updates, []
        return updates

    def close_spider(self, spider: Any = None) -> None:
        if self._index is not None:
            self._index.commit()
            self._index.close()
            self._index = None
            self._detector = None
