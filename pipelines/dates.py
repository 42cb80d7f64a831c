"""Dates stage [300]: ``published_at`` / ``updated_at`` in UTC, with the raw string and its source.

The work is in :mod:`pipelines.core.dating`. Candidates: the extract stage's (JSON-LD, meta, htmldate,
URL), the spider's discovery hints (news sitemap / feed date, ``lastmod``) and the date lines the
clean stage cut from under the headline. Strings without an offset are read in the site's
``timezone``; text dates with the site's ``languages`` (else the page's language). A page without a
usable date is kept, with ``published_at`` None.

Settings (defaults in brackets):

``SYNDICRAWL_DATES_FUTURE_SKEW_HOURS`` [14]
    A date later than ``fetched_at`` plus this is rejected as ``future``.
``SYNDICRAWL_DATES_MIN_YEAR`` [1990]
    An earlier date is rejected as ``too_old``.

Stats: ``syndicrawl/dates/source_count/<jsonld|meta|sitemap|feed|text|url>``,
``syndicrawl/dates/rejected_count/<future|too_old|unparseable>``, ``syndicrawl/dates/missing_count``,
``syndicrawl/dates/updated_count``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Self

from crawler.items import ArticleItem
from pipelines.core.dating import (
    DateFinder,
    DateOptions,
    DateResult,
    hint_candidates,
    supported_language,
)
from pipelines.core.metadata import DateCandidate
from pipelines.extract import HINT_DATES, parse_fetched_at, site_of
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STAGE = "dates"


class DatesPipeline:
    def __init__(
        self, options: DateOptions | None = None, *, crawler: Crawler | None = None
    ) -> None:
        self.finder = DateFinder(options)
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        options = DateOptions(
            future_skew=timedelta(hours=s.getfloat("SYNDICRAWL_DATES_FUTURE_SKEW_HOURS", 14.0)),
            min_year=s.getint("SYNDICRAWL_DATES_MIN_YEAR", 1990),
        )
        return cls(options, crawler=crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        site = site_of(self.crawler, item.site)
        candidates: list[DateCandidate] = [
            c for c in item.hints.get(HINT_DATES, ()) if isinstance(c, DateCandidate)
        ]
        candidates += hint_candidates(item.hints)
        fetched = parse_fetched_at(item.fetched_at) or datetime.now(UTC)
        languages = tuple(x for x in (site.languages if site else ()) if supported_language(x))
        if not languages and item.language and supported_language(item.language):
            languages = (item.language,)
        result = self.finder.find(
            candidates,
            fetched_at=fetched,
            timezone=site.timezone if site else "UTC",
            languages=languages,
        )
        self._apply(item, result)
        return item

    def _apply(self, item: ArticleItem, result: DateResult) -> None:
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
