"""Clean stage [200]: credit lines, site rules, page chrome and learned per-site boilerplate.

The work is in :mod:`pipelines.core.cleaning` (with ``credits``, ``boilerplate`` and ``learned``).
This adapter also makes learning work inside the first crawl of a site: while a site has fewer than
``SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES`` articles in the store, its articles are recorded and then
*held* (awaited, not blocking the reactor) until enough articles of the site have arrived or
``SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS`` passed; then all are cleaned with what was learned. So the
station promo appended to every story is stripped from the first story too.

Settings (defaults in brackets):

``SYNDICRAWL_CLEAN_LEARN_ENABLED`` [True]
    Learned boilerplate on/off (credits, rules and chrome always run).
``SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES`` [3]
    Distinct articles of one site a paragraph must recur in.
``SYNDICRAWL_CLEAN_LEARN_MAX_CHARS`` [400]
    Longer paragraphs are never learned.
``SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS`` [20]
    Longest hold of a site's first articles (0: no hold; early articles then keep their promo).
``SYNDICRAWL_STATE_DIR``
    The store is ``<state dir>/learned.sqlite3``, kept across runs.
``SYNDICRAWL_EXTRACT_MIN_CHARS`` [200]
    Text shorter than this after cleaning drops the page as ``BodyTooShort``.

``SYNDICRAWL_CLEAN_LEARNED_KEEP_SHARE`` [0.5]
    A learned pass leaving less than this share of an article's text is undone: the article is
    kept with its first-pass text (its site's articles share their template) and counted.

Stats: ``syndicrawl/clean/stripped_count/<credit|promo|rule|learned|chrome>``, ``.../cleaned_count``,
``.../learned_undone_count`` (learned boilerplate not applied: it would have taken most of the text),
``.../held_count``, ``.../hold_timeout_count``, ``.../credited_count``,
``.../first_pass_count/<worker|here>`` (made ahead in a pool worker, :mod:`pipelines.runtime.prework`),
``.../learned_pass_count/<worker|here>`` (the pass with learned boilerplate: the worker's guess
confirmed, or made here).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals

from crawler.config import read_options, setting_name
from crawler.items import ArticleItem
from pipelines.core.cleaning import Cleaner
from pipelines.core.learned import LearnedStore, LearnOptions
from pipelines.core.promo import SiteIdentity
from pipelines.errors import BodyTooShort, EmptyExtraction
from pipelines.extract import HINT_LINKED, HINT_SITE_NAMES, HINT_TITLES, site_of
from pipelines.runtime.prework import HINT_PREWORK, LearnedGuesses, Prework
from pipelines.stage_options import CleanStageOptions, ExtractStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

STAGE = "clean"
HINT_TEXT_DATES = "text_dates"


class CleanPipeline:
    def __init__(
        self,
        *,
        store: LearnedStore | None = None,
        min_chars: int = 200,
        learn_wait: float = 20.0,
        learned_keep_share: float = 0.5,
        crawler: Crawler | None = None,
    ) -> None:
        if learn_wait < 0:
            name = setting_name(CleanStageOptions, "learn_wait_seconds")
            raise ValueError(f"{name}: bad value {learn_wait!r}: expected a number >= 0")
        self.store = store
        self.min_chars = min_chars
        self.learn_wait = learn_wait
        self.learned_keep_share = learned_keep_share
        self.crawler = crawler
        self.stats = crawler.stats if crawler is not None else None
        self._cleaner: Cleaner | None = None
        self._warm: dict[str, asyncio.Event] = {}
        self.guesses = LearnedGuesses.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        options = read_options(CleanStageOptions, crawler.settings)
        store = None
        if options.learn_enabled:
            learn = LearnOptions(
                min_articles=options.learn_min_articles, max_chars=options.learn_max_chars
            )
            store = LearnedStore.in_state_dir(Path(options.state_dir), learn)
        pipeline = cls(
            store=store,
            min_chars=options.min_chars,
            learn_wait=options.learn_wait_seconds,
            learned_keep_share=options.learned_keep_share,
            crawler=crawler,
        )
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    def close(self) -> None:
        for event in self._warm.values():
            event.set()
        if self.store is not None:
            self.store.close()
            self.store = None

    @property
    def cleaner(self) -> Cleaner:
        """Built on first use: the spider (and the registry's publishers) exists by then."""
        if self._cleaner is None:
            spider = getattr(self.crawler, "spider", None)
            sites: dict[str, SiteConfig] = getattr(spider, "sites", None) or {}
            self._cleaner = Cleaner.for_sites(
                sites, self.store, learned_keep_share=self.learned_keep_share
            )
        return self._cleaner

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        site = site_of(self.crawler, item.site)
        paragraphs = [p for p in (item.text or "").split("\n\n") if p.strip()]
        titles = [t for t in (item.title, *item.hints.get(HINT_TITLES, ())) if t]
        identity = SiteIdentity.of(site, item.url, item.hints.get(HINT_SITE_NAMES, ()))
        linked: frozenset[str] = frozenset(item.hints.get(HINT_LINKED, ()))
        work: Prework | None = item.hints.get(HINT_PREWORK)
        first = (
            work.first_pass_for(paragraphs, tuple(titles), site, identity, linked) if work else None
        )
        count(self.stats, STAGE, "first_pass", "here" if first is None else "worker")
        if first is None:
            first = self.cleaner.first_pass(
                paragraphs, titles=titles, site=site, identity=identity, linked=linked
            )
        learn = True
        if self.store is not None and site is not None and self.learn_wait > 0:
            seen = self.cleaner.observe(first)
            learn = False
            await self._hold(site.name, seen)
        guessed = work.guessed if work is not None and first is work.first_pass else None
        result = self.cleaner.clean(paragraphs, learn=learn, first=first, guessed=guessed)
        if result.learned_undone:
            count(self.stats, STAGE, "learned_undone", site=item.site)
            logger.info(
                "clean: learned boilerplate not applied to %(url)s: it would have left less than "
                "%(share)s of the text (the site's articles share their template)",
                {"url": item.url, "share": self.cleaner.learned_keep_share},
            )
        if result.learned and site is not None:
            self.guesses.note(site.name, result.learned)
            ahead = guessed is not None and guessed.confirmed_by(result.learned)
            count(self.stats, STAGE, "learned_pass", "worker" if ahead else "here")
        item.html = item.html_utf8 = None  # the last stage that needs the page; records are many
        for reason in result.stripped:
            count(self.stats, STAGE, "stripped", reason, site=item.site)
        if not result.paragraphs:
            count(self.stats, STAGE, "dropped", "EmptyExtraction", site=item.site)
            raise EmptyExtraction(
                f"nothing left after removing {len(result.stripped)} boilerplate paragraphs: {item.url}"
            )
        text = result.text
        if len(text) < self.min_chars:
            count(self.stats, STAGE, "dropped", "BodyTooShort", site=item.site)
            raise BodyTooShort(
                f"body has {len(text)} chars after cleaning, below {setting_name(ExtractStageOptions, 'min_chars')}={self.min_chars}: {item.url}"
            )
        item.text = text
        item.content_sha256 = result.sha256
        item.credited_source = result.credited_source
        item.credit_line = result.credit_line
        item.stripped = list(result.stripped)
        item.hints[HINT_TEXT_DATES] = result.date_lines
        if result.credited_source:
            count(self.stats, STAGE, "credited", site=item.site)
        count(self.stats, STAGE, "cleaned", site=item.site)
        return item

    async def _hold(self, site: str, seen: int) -> None:
        """Wait until ``site`` has enough articles to learn from, at most ``learn_wait`` seconds."""
        assert self.store is not None
        event = self._warm.setdefault(site, asyncio.Event())
        if seen >= self.store.options.min_articles:
            event.set()
            return
        if event.is_set():
            return
        count(self.stats, STAGE, "held", site=site)
        try:
            await asyncio.wait_for(event.wait(), timeout=self.learn_wait)
        except TimeoutError:
            # a site with fewer articles than the threshold: release them, nothing to learn yet
            count(self.stats, STAGE, "hold_timeout", site=site)
            event.set()
            logger.info(
                "clean: released %(site)s articles after %(wait)ss: fewer than %(n)s articles to learn boilerplate from",
                {"site": site, "wait": self.learn_wait, "n": self.store.options.min_articles},
            )
