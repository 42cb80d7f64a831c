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

Stats: ``syndicrawl/extract/extracted_count``, ``syndicrawl/extract/dropped_count/<Reason>``,
``syndicrawl/extract/cpu_seconds`` (the core's CPU, in the pool workers or here). With a pool
(``SYNDICRAWL_POOL_PROCESSES``, :mod:`pipelines.runtime.pool`) the core runs in a worker process, which
also does the clean and syndication stages' pure work ahead (:mod:`pipelines.runtime.prework`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from crawler.config import read_options
from crawler.items import ArticleItem
from pipelines.core.extraction import ArticleExtractor, Extraction, ExtractionError, ExtractOptions
from pipelines.core.promo import SiteIdentity
from pipelines.errors import (
    ArticleDropped,
    BodyTooShort,
    EmptyExtraction,
    NotAnArticle,
    PageTooLarge,
)
from pipelines.runtime.prework import HINT_PREWORK, LearnedGuesses, Prework, prework
from pipelines.stage_options import ExtractStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawler.registry import SiteConfig
    from pipelines.runtime.pool import StagePool, WorkerState

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
HINT_LINKED = "linked"
"""Paragraphs that are whole links to other pages (the clean stage no longer has the page)."""
HINT_SITE_NAMES = "site_names"
"""The names the page gives its own site (og:site_name, JSON-LD publisher, <title> suffix)."""


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


def extract_options(s: BaseSettings) -> ExtractOptions:
    """The extraction core's options from the stage's settings (:class:`ExtractStageOptions`)."""
    stage = read_options(ExtractStageOptions, s)
    return ExtractOptions(
        min_chars=stage.min_chars,
        max_html_chars=stage.max_html_chars,
        rescue_below_chars=stage.rescue_below_chars,
    )


def headlines(found: Extraction, hint_title: str | None) -> tuple[str | None, list[str]]:
    """The item's title and every headline form (the clean stage drops a paragraph repeating one).

    A feed's or news sitemap's title (``hint_title``) is the publisher's own; it beats a <title>
    tag guess.
    """
    title: str | None
    if found.metadata.title_from_markup and hint_title:
        title = hint_title
    else:
        title = found.title or hint_title
    return title, [t for t in (hint_title, *found.metadata.titles) if t]


def page_utf8(item: ArticleItem) -> bytes | None:
    """The page as the pool sends it: UTF-8 bytes (pickling a str encodes it all the same, and the
    worker's parser reads bytes as they are, where a str costs a decode and lxml's conversion
    back); the response body itself when it is exactly that (:func:`crawler.middlewares.encoding.utf8_body`)."""
    if item.html_utf8 is not None:
        return item.html_utf8
    return item.html.encode("utf-8", "replace") if item.html is not None else None


def extract_task(
    state: WorkerState,
    html: str | bytes | None,
    url: str,
    site: str | None,
    fetched_at: str | None,
    hint_title: str | None = None,
    learned_guess: frozenset[str] = frozenset(),
) -> tuple[Extraction, Prework]:
    """The pool task: the extraction core in a worker (the site is looked up by name there), and
    the later stages' pure work on its text (:mod:`pipelines.runtime.prework`)."""
    config = state.site(site)
    found = state.extractor.extract(html, url, config, parse_fetched_at(fetched_at))
    title, titles = headlines(found, hint_title)
    paragraphs = [p for p in found.text.split("\n\n") if p.strip()]  # as the clean stage splits
    heads = tuple(t for t in (title, *titles) if t)
    identity = SiteIdentity.of(config, url, found.metadata.site_names())
    work = prework(
        state.cleaner,
        paragraphs,
        heads,
        config,
        learned_guess,
        identity=identity,
        linked=found.linked,
    )
    return found, work


class ExtractPipeline:
    def __init__(
        self,
        options: ExtractOptions | None = None,
        *,
        crawler: Crawler | None = None,
        pool: StagePool | None = None,
        reset_every: int = 0,
    ) -> None:
        self.extractor = ArticleExtractor(options)
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self.pool = pool if pool is not None and not pool.in_process else None
        self.reset_every = reset_every
        self._pages = 0
        self.guesses = LearnedGuesses.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from pipelines.runtime.pool import StagePool

        return cls(
            extract_options(crawler.settings),
            crawler=crawler,
            pool=StagePool.for_crawler(crawler),
            reset_every=read_options(ExtractStageOptions, crawler.settings).reset_every,
        )

    def process_item(self, item: ArticleItem) -> ArticleItem | Coroutine[Any, Any, ArticleItem]:
        """In the crawl process: the item; with a pool: a coroutine Scrapy awaits."""
        if self.pool is not None:
            return self._pooled(item)
        started = time.process_time()
        try:
            found = self.extractor.extract(
                item.html,
                item.url,
                site_of(self.crawler, item.site),
                parse_fetched_at(item.fetched_at),
            )
        except ExtractionError as exc:
            raise self._drop(item, exc) from exc
        finally:
            count(self.stats, STAGE, "cpu_seconds", value=time.process_time() - started)
            self._tick()
        return self._apply(item, found)

    def _tick(self) -> None:
        """In the crawl process, clear trafilatura's caches every ``reset_every`` pages (workers do their own)."""
        self._pages += 1
        if self.reset_every and self._pages % self.reset_every == 0:
            from pipelines.runtime.pool import reset_caches

            reset_caches()

    async def _pooled(self, item: ArticleItem) -> ArticleItem:
        assert self.pool is not None
        try:
            done, error, cpu = await self.pool.run(
                extract_task,
                page_utf8(item),
                item.url,
                item.site,
                item.fetched_at,
                item.hints.get("title"),
                self.guesses.guess(item.site),
                expected=(ExtractionError,),
            )
        except ArticleDropped as exc:  # the worker died
            count(self.stats, STAGE, "dropped", type(exc).__name__, site=item.site)
            raise
        count(self.stats, STAGE, "cpu_seconds", value=cpu)
        count(self.stats, STAGE, "worker_cpu_seconds", value=cpu)
        if error is not None:
            assert isinstance(error, ExtractionError)
            raise self._drop(item, error) from error
        found, item.hints[HINT_PREWORK] = done
        return self._apply(item, found)

    def _drop(self, item: ArticleItem, exc: ExtractionError) -> ArticleDropped:
        count(self.stats, STAGE, "dropped", exc.reason, site=item.site)
        return DROPS.get(exc.reason, EmptyExtraction)(str(exc))

    def _apply(self, item: ArticleItem, found: Extraction) -> ArticleItem:
        hints: dict[str, Any] = item.hints
        item.text = found.text
        item.title, titles = headlines(found, hints.get("title"))
        item.authors = found.authors
        item.canonical_url = found.canonical_url
        item.language = found.language or hints.get("language")
        hints[HINT_DATES] = list(found.metadata.dates)
        hints[HINT_TITLES] = titles
        hints[HINT_LINKED] = found.linked
        hints[HINT_SITE_NAMES] = found.metadata.site_names()
        count(self.stats, STAGE, "extracted", site=item.site)
        logger.debug(
            "extract: %(chars)s chars from %(url)s", {"chars": len(item.text), "url": item.url}
        )
        return item
