"""Dates stage [300]: ``published_at`` / ``updated_at`` in UTC, with the raw string and its source.

The work is in :mod:`pipelines.core.dating`. Candidates: the extract stage's (JSON-LD, meta, htmldate,
URL), the spider's discovery hints (news sitemap / feed date, ``lastmod``) and the date lines the
clean stage cut from under the headline. Strings without an offset are read in the site's
``timezone``; text dates with the site's ``languages`` (else the page's language). A page without a
usable date is kept, with ``published_at`` None.

Settings (:class:`~pipelines.stage_options.DatesStageOptions`):

``SYNDICRAWL_DATES_FUTURE_SKEW_HOURS``
    A date later than ``fetched_at`` plus this is rejected as ``future``.
``SYNDICRAWL_DATES_MIN_YEAR``
    An earlier date is rejected as ``too_old``.

Stats: ``syndicrawl/dates/source_count/<jsonld|meta|sitemap|feed|text|url>``,
``syndicrawl/dates/rejected_count/<future|too_old|unparseable>``, ``syndicrawl/dates/missing_count``,
``syndicrawl/dates/updated_count``, ``syndicrawl/dates/cpu_seconds``,
``syndicrawl/dates/timezone_fallback_count/<abbreviation>`` (an abbreviation of several offsets, IST
or CST, on a site whose zone does not use it: read in the site's zone),
``syndicrawl/dates/pooled_count``. With a pool (``SYNDICRAWL_POOL_PROCESSES``, :mod:`pipelines.runtime.pool`)
a page whose dates need dateparser (free text: "3 hours ago", "27. November 2026") goes to a worker
process; ISO 8601 / RFC 2822 candidates (JSON-LD, meta, sitemaps) are chosen here, since a round trip
to a worker costs more than parsing them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from crawler.config import read_options
from crawler.items import ArticleItem
from pipelines.core.dating import (
    DateFinder,
    DateOptions,
    DateResult,
    NeedsDateparser,
    hint_candidates,
    supported_language,
)
from pipelines.core.metadata import DateCandidate
from pipelines.errors import ArticleDropped
from pipelines.extract import HINT_DATES, parse_fetched_at, site_of
from pipelines.stage_options import DatesStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.crawler import Crawler

    from pipelines.runtime.pool import StagePool, WorkerState

logger = logging.getLogger(__name__)

STAGE = "dates"


def date_options(settings: Mapping[str, Any]) -> DateOptions:
    """The dates core's options from the stage's settings (the pool's workers build theirs too)."""
    stage = read_options(DatesStageOptions, settings)
    return DateOptions(
        future_skew=timedelta(hours=stage.future_skew_hours), min_year=stage.min_year
    )


def dates_task(
    state: WorkerState,
    candidates: list[DateCandidate],
    fetched_at: datetime,
    timezone: str,
    languages: Sequence[str],
) -> DateResult:
    """The pool task: the dates core in a worker (its dateparser parsers are built once per worker)."""
    return state.dates.find(
        candidates, fetched_at=fetched_at, timezone=timezone, languages=languages
    )


class DatesPipeline:
    def __init__(
        self,
        options: DateOptions | None = None,
        *,
        crawler: Crawler | None = None,
        pool: StagePool | None = None,
    ) -> None:
        self.finder = DateFinder(options)
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.pool = pool if pool is not None and not pool.in_process else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from pipelines.runtime.pool import StagePool

        return cls(
            date_options(crawler.settings), crawler=crawler, pool=StagePool.for_crawler(crawler)
        )

    def _inputs(
        self, item: ArticleItem
    ) -> tuple[list[DateCandidate], datetime, str, tuple[str, ...]]:
        site = site_of(self.crawler, item.site)
        candidates: list[DateCandidate] = [
            c for c in item.hints.get(HINT_DATES, ()) if isinstance(c, DateCandidate)
        ]
        candidates += hint_candidates(item.hints)
        fetched = parse_fetched_at(item.fetched_at) or datetime.now(UTC)
        languages = tuple(x for x in (site.languages if site else ()) if supported_language(x))
        if not languages and item.language and supported_language(item.language):
            languages = (item.language,)
        return candidates, fetched, site.timezone if site else "UTC", languages

    def process_item(self, item: ArticleItem) -> ArticleItem | Coroutine[Any, Any, ArticleItem]:
        """The item, or with a pool and free-text dates to parse: a coroutine Scrapy awaits."""
        started = time.process_time()
        inputs = candidates, fetched, timezone, languages = self._inputs(item)
        try:
            result = self.finder.find(
                candidates,
                fetched_at=fetched,
                timezone=timezone,
                languages=languages,
                fast_only=self.pool is not None,
            )
        except NeedsDateparser:
            return self._pooled(item, inputs)
        finally:
            count(self.stats, STAGE, "cpu_seconds", value=time.process_time() - started)
        self._apply(item, result)
        return item

    async def _pooled(
        self, item: ArticleItem, inputs: tuple[list[DateCandidate], datetime, str, tuple[str, ...]]
    ) -> ArticleItem:
        assert self.pool is not None
        count(self.stats, STAGE, "pooled", site=item.site)
        try:
            result, _, cpu = await self.pool.run(dates_task, *inputs)
        except ArticleDropped as exc:  # the worker died
            count(self.stats, STAGE, "dropped", type(exc).__name__, site=item.site)
            raise
        count(self.stats, STAGE, "cpu_seconds", value=cpu)
        count(self.stats, STAGE, "worker_cpu_seconds", value=cpu)
        self._apply(item, result)
        return item

    def _apply(self, item: ArticleItem, result: DateResult) -> None:
        for abbreviation in result.zone_fallbacks:
            count(self.stats, STAGE, "timezone_fallback", abbreviation, site=item.site)
            logger.info(
                "dates: %(abbr)s has several offsets and is not the site's zone; read %(url)s in "
                "the site's zone",
                {"abbr": abbreviation, "url": item.url},
            )
        for reason in result.rejected:
            count(self.stats, STAGE, "rejected", reason, site=item.site)
            logger.debug(
                "dates: rejected a %(reason)s date on %(url)s", {"reason": reason, "url": item.url}
            )
        if result.published_at is None:
            count(self.stats, STAGE, "missing", site=item.site)
        else:
            item.published_at = DateResult.iso(result.published_at)
            item.published_at_raw = result.published_raw
            item.published_at_source = result.published_source  # type: ignore[assignment]
            count(self.stats, STAGE, "source", result.published_source, site=item.site)
        if result.updated_at is not None:
            item.updated_at = DateResult.iso(result.updated_at)
            item.updated_at_source = result.updated_source  # type: ignore[assignment]
            count(self.stats, STAGE, "updated", site=item.site)
