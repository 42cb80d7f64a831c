"""The spider's seen-store bookkeeping: record each article once its item has left the pipeline.

Connected to the crawl's signals by :meth:`SeenBookkeeping.connect`:

* a record going into the export spool (``record_spooling``): the article is *held* for that
  spool run; it becomes seen when its part is stored (``records_stored``), so an article whose
  record dies with an unfinished batch is fetched again (``crawler/state/resume.py``);
* an item scraped without the spool (a store that does not hold): recorded as exported;
* an item dropped: recorded with the drop's reason, unless the crawl failed rather than the page
  (``fetch_again``: ``ExportFailed``, ``WorkerCrashed``), which is fetched again next run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals

from crawler.discovery.ledger import newest
from crawler.items import ArticleItem
from crawler.state.resume import HoldingSeenStore
from crawler.state.seen import SeenEntry, SeenStore, SQLiteSeenStore
from pipelines.export import SPOOL_RUN_HINT, record_spooling, records_stored

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.spiders.options import SpiderOptions


class SeenBookkeeping:
    def __init__(self, seen: SeenStore, lastmod_found: Callable[[str], str | None]) -> None:
        self.seen = seen
        # The item's hints were copied when the page was fetched; a start point parsed later in the
        # run (a sitemap after a listing) may have found the lastmod since. Without it the next run
        # would take the article for changed and fetch it again.
        self.lastmod_found = lastmod_found

    @property
    def holds(self) -> bool:
        """Whether exported articles are held until their part is stored (the SQLite store)."""
        return hasattr(self.seen, "hold")

    def connect(self, crawler: Crawler) -> None:
        if self.holds:
            crawler.signals.connect(self._on_record_spooling, signal=record_spooling)
            crawler.signals.connect(self._on_records_stored, signal=records_stored)
        crawler.signals.connect(self._on_item_done, signal=signals.item_scraped)
        crawler.signals.connect(self._on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._on_closed, signal=signals.spider_closed)

    def remember(
        self,
        key: str,
        site: str,
        hints: dict[str, Any],
        response: Response | None,
        sha: str | None,
        outcome: str,
        *,
        hold_for: str | None = None,
    ) -> None:
        previous = self.seen.get(key)
        etag = header(response, "ETag") if response is not None else hints.get("etag")
        last_modified = (
            header(response, "Last-Modified")
            if response is not None
            else hints.get("last_modified")
        )
        entry = SeenEntry(
            key=key,
            site=site,
            lastmod=newest(hints.get("lastmod"), self.lastmod_found(key)),
            etag=etag or (previous.etag if previous else None),
            last_modified=last_modified or (previous.last_modified if previous else None),
            content_sha256=sha or (previous.content_sha256 if previous else None),
            outcome=outcome,
        )
        if hold_for is not None:
            cast("HoldingSeenStore", self.seen).hold(entry, hold_for)
        else:
            self.seen.record(entry)

    def _remember_item(self, item: ArticleItem, outcome: str, hold_for: str | None = None) -> None:
        self.remember(
            item.hints["key"],
            item.site or "",  # set on every article (is_article)
            item.hints,
            None,
            item.content_sha256,
            outcome,
            hold_for=hold_for,
        )

    def _on_record_spooling(self, item: Any, run_id: str) -> None:
        if is_article(item):
            self._remember_item(item, "exported", hold_for=run_id)

    def _on_records_stored(self, run_id: str, keys: list[str]) -> None:
        cast("HoldingSeenStore", self.seen).commit(run_id, keys)

    def _on_item_done(self, item: Any, response: Response, spider: Any) -> None:
        if not is_article(item):
            return
        if item.hints.get(SPOOL_RUN_HINT) and self.holds:
            return  # held when spooled, seen once its part is stored
        self._remember_item(item, "exported")

    def _on_item_dropped(
        self, item: Any, response: Response, exception: Exception, spider: Any
    ) -> None:
        if getattr(exception, "fetch_again", False):
            return  # the crawl failed, not the page (ExportFailed, WorkerCrashed): fetched next run
        if is_article(item):
            self._remember_item(item, f"dropped:{type(exception).__name__}")

    def _on_closed(self, spider: Any, reason: str) -> None:
        self.seen.close()


def is_article(item: Any) -> bool:
    return isinstance(item, ArticleItem) and bool(item.site) and "key" in item.hints


def header(response: Response | None, name: str) -> str | None:
    if response is None:
        return None
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def open_seen_store(options: SpiderOptions) -> SeenStore:
    """The spider's seen-store: SQLite under the state dir, Redis in distributed mode."""
    if options.distributed:
        from crawler.distributed.seen import RedisSeenStore

        return RedisSeenStore.from_url(options.redis_url, options.distributed_prefix)
    return SQLiteSeenStore(Path(options.state_dir) / "seen.sqlite3")
