"""Extract stage [100]: HTML -> body text, title, authors, canonical URL, language, date candidates.

The work is in :mod:`pipelines.core.extraction`; this adapter maps settings to
:class:`~pipelines.core.extraction.ExtractOptions`, turns core errors into drop reasons and counts.

Settings (defaults in brackets):

``SYNDICRAWL_EXTRACT_MIN_CHARS`` [200]
    Shorter body text drops the page as ``BodyTooShort`` (also checked again after cleaning).
``SYNDICRAWL_EXTRACT_MAX_HTML_CHARS`` [8388608]
    Longer HTML drops the page as ``PageTooLarge`` before parsing.
``SYNDICRAWL_EXTRACT_RESCUE_BELOW_CHARS`` [500]
    A fast trafilatura pass finding less text is redone with trafilatura's fallbacks (0: never).

Stats: ``syndicrawl/extract/extracted_count``, ``syndicrawl/extract/dropped_count/<Reason>``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from crawler.items import ArticleItem
from pipelines.core.extraction import ArticleExtractor, ExtractionError, ExtractOptions
from pipelines.errors import (
    ArticleDropped,
    BodyTooShort,
    EmptyExtraction,
    NotAnArticle,
    PageTooLarge,
)
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

STAGE = "extract"
DROPS: dict[str, type[ArticleDropped]] = {
    "PageTooLarge": PageTooLarge,
    "EmptyExtraction": EmptyExtraction,
    "NotAnArticle": NotAnArticle,
    "BodyTooShort": BodyTooShort,
}
# hints keys the later stages read (hints are internal, never exported)
HINT_DATES = "date_candidates"
HINT_TITLES = "titles"


def site_of(crawler: Crawler | None, name: str | None) -> SiteConfig | None:
    """The item's SiteConfig from the running spider's ``sites`` dict, or None."""
    spider = getattr(crawler, "spider", None) if crawler is not None else None
    sites: dict[str, SiteConfig] = getattr(spider, "sites", None) or {}
    return sites.get(name) if name else None


def parse_fetched_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ExtractPipeline:
    def __init__(
        self, options: ExtractOptions | None = None, *, crawler: Crawler | None = None
    ) -> None:
        self.extractor = ArticleExtractor(options)
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        options = ExtractOptions(
            min_chars=s.getint("SYNDICRAWL_EXTRACT_MIN_CHARS", 200),
            max_html_chars=s.getint("SYNDICRAWL_EXTRACT_MAX_HTML_CHARS", 8 * 1024 * 1024),
            rescue_below_chars=s.getint("SYNDICRAWL_EXTRACT_RESCUE_BELOW_CHARS", 500),
        )
        return cls(options, crawler=crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        site = site_of(self.crawler, item.site)
        try:
            found = self.extractor.extract(
                item.html, item.url, site, parse_fetched_at(item.fetched_at)
            )
        except ExtractionError as exc:
            count(self.stats, STAGE, "dropped", exc.reason, site=item.site)
            raise DROPS.get(exc.reason, EmptyExtraction)(str(exc)) from exc
        hints: dict[str, Any] = item.hints
        item.text = found.text
        # A feed's or news sitemap's title is the publisher's own; it beats a <title> tag guess.
        if found.metadata.title_from_markup and hints.get("title"):
            item.title = hints["title"]
        else:
            item.title = found.title or hints.get("title")
        item.authors = found.authors
        item.canonical_url = found.canonical_url
        item.language = found.language or hints.get("language")
        hints[HINT_DATES] = list(found.metadata.dates)
        hints[HINT_TITLES] = [t for t in (hints.get("title"), *found.metadata.titles) if t]
        count(self.stats, STAGE, "extracted", site=item.site)
        logger.debug(
            "extract: %(chars)s chars from %(url)s", {"chars": len(item.text), "url": item.url}
        )
        return item
