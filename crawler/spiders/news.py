"""NewsSpider: crawls every configured site from its start points, fetches each article once.

Data flow per site: start points (RSS/Atom, sitemaps and news sitemaps, listing pages) ->
article URLs (normalised, matched against the site's ``article_url_pattern``) -> seen-store
decision (new / changed / unchanged) -> article fetch (through Chromium for sites with
``render_javascript``) -> :class:`~crawler.items.ArticleItem` with the HTML and discovery hints.

Requests carry ``meta["site"]`` and ``meta["kind"]`` (robots, feed, sitemap, listing, article)
for the middlewares and the stats, and ``meta["download_slot"] = site`` so each site gets its own
concurrency and delay (``DOWNLOAD_SLOTS``, filled from the site configs by the runner).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse

from crawler.config import BadSetting, read_options, setting_name
from crawler.declarations import check_all
from crawler.discovery.feeds import parse_feed
from crawler.discovery.hints import feed_hints, sitemap_hints
from crawler.discovery.ledger import ArticleLedger
from crawler.discovery.listings import listing_links, next_listing_href
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.urls import normalize_url
from crawler.discovery.xmlsafe import XMLDocumentError
from crawler.items import ArticleItem
from crawler.middlewares.encoding import utf8_body
from crawler.middlewares.errors import ShutdownCancelled
from crawler.middlewares.failures import classify_failure
from crawler.outcomes import POLICY_REFUSALS
from crawler.registry import Listing, SiteConfig, SiteConfigError, bundled_sites_dir, load_sites
from crawler.site_settings import ChromiumMissing, apply_site_settings
from crawler.spiders.options import SpiderOptions
from crawler.spiders.request import SpiderRequest
from crawler.state.bookkeeping import SeenBookkeeping, header, open_seen_store
from crawler.state.resume import HoldingSeenStore, Reconciled, reconcile_pending
from crawler.state.seen import SeenStore, SharedHints
from pipelines.export import SPOOL_SUBDIR
from pipelines.stats import count

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

STAGE = "fetch"


def utc_now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        sites: dict[str, SiteConfig] | None = None,
        sites_dir: str | None = None,
        seen_store: SeenStore | None = None,
        max_listing_pages: int = 20,
        shared_hints: SharedHints | None = None,
        originals_first: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if sites is None:
            if not sites_dir:
                raise ValueError(
                    "NewsSpider needs sites= (dict of SiteConfig) or sites_dir= (a folder)"
                )
            sites = load_sites(sites_dir)
        self.sites: dict[str, SiteConfig] = sites
        self.seen = seen_store
        self.max_listing_pages = max_listing_pages
        # Distributed mode: hints merged across the workers of the run (crawler/distributed/hints.py).
        self.ledger = ArticleLedger(seen_store, shared_hints, stats=lambda: self.crawler.stats)
        # Originals first: a copy processed after its original is linked in its own record; one
        # processed before it is linked only by a later update. Syndicators start once the
        # original sites are done (spider_idle), unless there is nothing else to crawl.
        originals = [s for s in sites.values() if s.role == "original"]
        syndicators = [s for s in sites.values() if s.role != "original"]
        if originals_first and originals and syndicators:
            self._phases: list[list[SiteConfig]] = [originals, syndicators]
        else:
            self._phases = [list(sites.values())]
        self._resumed: Reconciled | None = None
        self.bookkeeping: SeenBookkeeping | None = None
        self._sitemaps_requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        settings = crawler.settings
        if kwargs.get("sites") is None:  # Scrapy's own `scrapy crawl news [-a sites_dir=DIR]`
            kwargs["sites"] = scrapy_crawl_sites(settings, kwargs.pop("sites_dir", None))
        options = read_options(SpiderOptions, settings)
        kwargs.setdefault("max_listing_pages", options.max_listing_pages)
        kwargs.setdefault("originals_first", options.originals_first)
        if "seen_store" not in kwargs and options.incremental_enabled:
            kwargs["seen_store"] = open_seen_store(options)
        if "shared_hints" not in kwargs and options.distributed:
            from crawler.distributed.context import context_for

            kwargs["shared_hints"] = context_for(crawler).hints
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.seen is not None:
            bookkeeping = SeenBookkeeping(spider.seen, spider.ledger.lastmod)
            if bookkeeping.holds:
                # Exported articles become seen only once their part is stored; before the export
                # stage starts (it uploads and removes the dead runs' spools), settle what dead
                # runs still hold (crawler/state/resume.py).
                spider._resumed = reconcile_pending(
                    cast("HoldingSeenStore", spider.seen),
                    Path(options.state_dir) / SPOOL_SUBDIR,
                )
            bookkeeping.connect(crawler)
            spider.bookkeeping = bookkeeping
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    # --- start points --------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self._resumed is not None and self._resumed.runs:  # stats exist only from here on
            count(self.crawler.stats, "resume", "committed", value=self._resumed.committed)
            count(self.crawler.stats, "resume", "refetch", value=self._resumed.forgotten)
        for request in self._start_requests(self._phases.pop(0)):
            yield request

    def _on_idle(self, spider: scrapy.Spider) -> None:
        if not self._phases:
            return
        sites = self._phases.pop(0)
        self.logger.info(
            "Discovery (next-phase): starting %(sites)s", {"sites": [s.name for s in sites]}
        )
        for request in self._start_requests(sites):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _start_requests(self, sites: list[SiteConfig]) -> Iterator[scrapy.Request]:
        for site in sites:
            for url in site.start.rss + site.start.atom:
                yield self._request(site, site.absolute(url), "feed", self.parse_feed, priority=30)
            for url in site.start.news_sitemaps + site.start.sitemaps:
                self._sitemaps_requested.add(site.absolute(url))
                yield self._request(
                    site, site.absolute(url), "sitemap", self.parse_sitemap, priority=20
                )
            for index, listing in enumerate(site.start.listings):
                # The listing's index, not the object: requests must serialise (distributed mode).
                yield self._request(
                    site,
                    site.absolute(listing.url),
                    "listing",
                    self.parse_listing,
                    priority=10,
                    meta={"listing": index, "listing_page": 1},
                )

    def _request(
        self,
        site: SiteConfig,
        url: str,
        kind: str,
        callback: Any,
        *,
        priority: int = 0,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        full_meta = {"site": site.name, "kind": kind, "download_slot": site.name, **(meta or {})}
        return SpiderRequest(
            url,
            callback=callback,
            errback=self.on_error,
            priority=priority,
            meta=full_meta,
            headers=headers,
            dont_filter=kind in ("feed", "sitemap"),
        )

    # --- discovery -----------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        site = self.sites[response.meta["site"]]
        try:
            entries = parse_feed(response.body)
        except XMLDocumentError as exc:
            self._bad_document(site, response, "feed", exc)
            return
        count(self.crawler.stats, "discovery", "feed_parsed", site=site.name)
        for entry in entries:
            yield from self._article(site, response.urljoin(entry.url), feed_hints(entry))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        site = self.sites[response.meta["site"]]
        try:
            sitemap = parse_sitemap(response.body)
        except XMLDocumentError as exc:
            self._bad_document(site, response, "sitemap", exc)
            return
        count(self.crawler.stats, "discovery", "sitemap_parsed", site=site.name)
        if sitemap.kind == "sitemapindex":
            for entry in sitemap.entries:
                url = response.urljoin(entry.url)
                if not site.owns(url):
                    continue
                if url in self._sitemaps_requested:
                    # An index listing itself or an ancestor: sitemaps bypass the dupefilter, so
                    # without this a loop would spend the site's whole request budget.
                    count(self.crawler.stats, "discovery", "sitemap_repeat", site=site.name)
                    continue
                self._sitemaps_requested.add(url)
                yield self._request(site, url, "sitemap", self.parse_sitemap, priority=20)
            return
        for entry in sitemap.entries:
            yield from self._article(site, response.urljoin(entry.url), sitemap_hints(entry))

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        site = self.sites[response.meta["site"]]
        if not isinstance(response, TextResponse):
            count(self.crawler.stats, "discovery", "bad_listing", "not_text", site=site.name)
            return
        listing: Listing | int = response.meta["listing"]
        if isinstance(listing, int):
            listing = site.start.listings[listing]
        for href in listing_links(response.selector, listing):
            yield from self._article(site, response.urljoin(href), {})
        page = response.meta.get("listing_page", 1)
        next_href = next_listing_href(response.selector, listing)
        if next_href:
            if page >= self.max_listing_pages:
                count(self.crawler.stats, "discovery", "listing_page_limit", site=site.name)
            else:
                yield self._request(
                    site,
                    response.urljoin(next_href),
                    "listing",
                    self.parse_listing,
                    priority=10,
                    meta={"listing": response.meta["listing"], "listing_page": page + 1},
                )

    def _article(
        self, site: SiteConfig, url: str, hints: dict[str, Any]
    ) -> Iterator[scrapy.Request]:
        """Request ``url`` as an article of ``site`` unless the ledger says it needs no fetch."""
        if not site.owns(url) or not site.is_article_url(url):
            return
        key = normalize_url(url)
        headers = self.ledger.offer(site.name, key, hints)
        if headers is not None:
            yield self._article_request(site, key, headers)

    def _article_request(
        self,
        site: SiteConfig,
        key: str,
        headers: dict[str, str] | None = None,
        *,
        again: bool = False,
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"key": key, "handle_httpstatus_list": [304]}
        if site.render_javascript:
            meta.update(playwright=True, playwright_context=f"site-{site.name}")
        request = self._request(
            site, key, "article", self.parse_article, meta=meta, headers=headers
        )
        return request.replace(dont_filter=True) if again else request

    def refetch_for_relink(self, url: str, site_name: str | None) -> bool:
        """Fetch again an article exported by an earlier run whose syndication link changed (its
        original, or a copy of it, arrived only now), so its record is exported again with the
        link. Articles of this run need nothing: their parts take the link from the index."""
        site = self.sites.get(site_name or "")
        key = normalize_url(url)
        if site is None or not self.ledger.claim_relink(site.name, key):
            return False
        self.crawler.engine.crawl(self._article_request(site, key, again=True))
        return True

    # --- articles ------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        site = self.sites[response.meta["site"]]
        key = response.meta["key"]
        hints = self.ledger.take(key)  # they travel with the item now
        if response.status == 304:
            count(self.crawler.stats, "fetch", "not_modified", site=site.name)
            self._remember(key, site.name, hints, response, "not_modified")
            return
        if not isinstance(response, TextResponse):
            count(self.crawler.stats, "fetch", "skipped_non_text", site=site.name)
            self._remember(key, site.name, hints, response, "non_text")
            return
        count(self.crawler.stats, "fetch", "article_fetched", site=site.name)
        if response.meta.get("playwright"):
            count(self.crawler.stats, "fetch", "rendered", site=site.name)
        hints["etag"] = header(response, "ETag")
        hints["last_modified"] = header(response, "Last-Modified")
        hints["http_last_modified"] = hints["last_modified"]
        hints["key"] = key
        yield ArticleItem(
            url=key,
            site=site.name,
            html=response.text,
            html_utf8=utf8_body(response.encoding, response.text, response.body),
            fetched_at=utc_now_iso(),
            hints=hints,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        site = request.meta.get("site")
        kind = request.meta.get("kind", "unknown")
        reason = classify_failure(failure)
        if reason == ShutdownCancelled.reason:
            # Not a failure of the site, and counted by whoever cancelled it; not seen, so the
            # next run fetches it.
            self.logger.debug(
                "Fetch cancelled (closing): %(kind)s %(url)s", {"kind": kind, "url": request.url}
            )
            return
        # Our own policy (robots.txt, address guard, budget) refused it: not an error of the site.
        refused = reason in POLICY_REFUSALS
        count(self.crawler.stats, STAGE, "refused" if refused else "failed", reason, site=site)
        self.logger.log(
            logging.INFO if refused else logging.WARNING,
            "Fetch %(outcome)s (%(reason)s): %(kind)s %(url)s",
            {
                "outcome": "refused" if refused else "failed",
                "reason": reason,
                "kind": kind,
                "url": request.url,
            },
        )

    def _bad_document(
        self, site: SiteConfig, response: Response, kind: str, exc: Exception
    ) -> None:
        count(self.crawler.stats, "discovery", f"bad_{kind}", site=site.name)
        count(self.crawler.stats, "discovery", f"bad_{kind}", getattr(exc, "reason", "invalid"))
        self.logger.warning(
            "Discovery (bad-%(kind)s): %(url)s: %(error)s",
            {"kind": kind, "url": response.url, "error": exc},
        )

    def _remember(
        self, key: str, site: str, hints: dict[str, Any], response: Response, outcome: str
    ) -> None:
        """An article fetched but not made an item (304, not text): seen now."""
        if self.bookkeeping is not None:
            self.bookkeeping.remember(key, site, hints, response, None, outcome)


def scrapy_crawl_sites(settings: Any, sites_dir: str | None) -> dict[str, SiteConfig]:
    """The sites of ``scrapy crawl news``: ``-a sites_dir=DIR``, else ``SYNDICRAWL_SITES_DIR``, else
    the bundled ones; their politeness and rendering settings are applied (the settings are not
    frozen yet). A bad setting or a bad or missing configuration ends the process with one line and
    status 2, as ``syndicrawl crawl`` does."""
    try:
        check_all(settings)  # every SYNDICRAWL_* value, before anything starts
        folder = sites_dir or read_options(SpiderOptions, settings).sites_dir
        if not folder and not any(bundled_sites_dir().glob("*.y*ml")):
            name = setting_name(SpiderOptions, "sites_dir")
            raise NoSitesConfigured(
                f"no sites configured: pass -a sites_dir=DIR or set {name} "
                f"(-s {name}=DIR or the environment); crawler/sites/ ships none"
            )
        sites = load_sites(folder or bundled_sites_dir())
        apply_site_settings(settings, sites, priority="spider")
    except (BadSetting, NoSitesConfigured, SiteConfigError, ChromiumMissing) as exc:
        # Raised here, it would surface as a traceback from inside the reactor's start-up.
        print(f"scrapy crawl news: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return sites


class NoSitesConfigured(ValueError):
    """``scrapy crawl news`` with no site folder given and none bundled."""
