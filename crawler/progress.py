"""Crawl progress for people: one line rewritten in place on a terminal, plain lines otherwise.

A Scrapy extension on a timer, like Scrapy's ``LogStats``, reading the run's stats and request
signals. ``SYNDICRAWL_PROGRESS``: ``off`` (the default for ``scrapy crawl``), ``auto`` (what
``syndicrawl crawl`` and ``demo`` set: ``bar`` when stderr is a terminal, else ``lines``), ``bar`` or
``lines``; ``SYNDICRAWL_PROGRESS_INTERVAL`` is the seconds between plain lines. Everything goes to
stderr, so stdout keeps only the summary (and its ``--json`` line).

A site is *done* when every request of it that was scheduled has left the downloader, was dropped
by the scheduler, or was refused by our own policy before reaching it (counted in
``fetch/refused_count``); a site whose turn has not come yet (syndicators wait for the originals)
is not done.
"""

from __future__ import annotations

import logging
import sys
import time
import weakref
from collections import Counter
from typing import IO, TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.config import read_options
from crawler.options import ProgressMode, ProgressOptions
from crawler.outcomes import PROGRESS_FIGURES
from pipelines.stats import PREFIX, stat_key

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BAR_REFRESH_SECONDS = 0.5
CLEAR_LINE = "\r\x1b[K"


def resolve_mode(mode: ProgressMode, stream: IO[str]) -> str:
    """``auto`` becomes ``bar`` on a terminal and ``lines`` elsewhere."""
    if mode != "auto":
        return mode
    isatty = getattr(stream, "isatty", None)
    return "bar" if isatty is not None and isatty() else "lines"


class TerminalLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The terminal's log handler: clears a progress bar before writing a record under it."""

    def emit(self, record: logging.LogRecord) -> None:
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            self.stream.write(CLEAR_LINE)
        super().emit(record)


class CrawlProgress:
    def __init__(self, crawler: Crawler, mode: str, interval: float, stream: IO[str]) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self._scheduled: Counter[str] = Counter()
        self._finished: Counter[str] = Counter()
        self._tracked: weakref.WeakSet[Request] = weakref.WeakSet()
        self._task: Any = None
        self._last_width = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        options = read_options(ProgressOptions, crawler.settings)
        stream = sys.stderr
        mode = resolve_mode(options.mode, stream)
        if mode == "off":
            raise NotConfigured
        interval = BAR_REFRESH_SECONDS if mode == "bar" else options.interval
        ext = cls(crawler, mode, interval, stream)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.request_left, signal=signals.request_left_downloader)
        return ext

    # --- request bookkeeping (per site, from ``meta["site"]``) ---------------------------------
    def request_scheduled(self, request: Request, spider: Spider) -> None:
        site = request.meta.get("site")
        if site:
            self._scheduled[site] += 1
            self._tracked.add(request)

    def request_dropped(self, request: Request, spider: Spider) -> None:
        self._finish(request)

    def request_left(self, request: Request, spider: Spider) -> None:
        self._finish(request)

    def _finish(self, request: Request) -> None:
        if request in self._tracked:  # robots.txt and other engine downloads were never scheduled
            self._tracked.discard(request)
            self._finished[request.meta["site"]] += 1

    def sites_done(self, sites: list[str]) -> int:
        stats = self.crawler.stats.get_stats()
        done = 0
        for site in sites:
            refused_prefix = stat_key("fetch", "refused", site=site) + "/"
            refused = sum(v for k, v in stats.items() if k.startswith(refused_prefix))
            if self._scheduled[site] and self._finished[site] + refused >= self._scheduled[site]:
                done += 1
        return done

    # --- drawing ---------------------------------------------------------------------------
    def line(self, spider: Spider) -> str:
        stats = self.crawler.stats
        sites = sorted(getattr(spider, "sites", {}) or {})
        parts = [f"sites {self.sites_done(sites)}/{len(sites)} done"]
        for label, key in PROGRESS_FIGURES:
            parts.append(f"{int(stats.get_value(f'{PREFIX}/{key}', 0) or 0)} {label}")
        elapsed = round(time.monotonic() - self.started)
        return f"[{elapsed // 60}:{elapsed % 60:02d}] " + " · ".join(parts)

    def show(self, spider: Spider) -> None:
        text = self.line(spider)
        if self.mode == "bar":
            self.stream.write(CLEAR_LINE + text)
        else:
            self.stream.write(f"progress: {text}\n")
        self.stream.flush()

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._task = create_looping_call(self.show, spider)
        self._task.start(self.interval, now=self.mode == "bar")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        if self.mode == "bar":
            self.stream.write(CLEAR_LINE)  # the summary that follows replaces the bar
        else:
            self.stream.write(f"progress: {self.line(spider)} ({reason})\n")
        self.stream.flush()
