"""AutoThrottle bounded per site: never below the site's own delay, never above a few seconds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.extensions.throttle import AutoThrottle

from crawler.config import read_options
from crawler.fetch.options import ThrottleOptions
from crawler.middlewares.common import count_outcome
from pipelines.stats import stat_key

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Answers that show how fast the site really is. Scrapy's AutoThrottle lets only 200 lower a delay
# (small error pages would speed it up); 304 Not Modified is a revisit's normal answer, and
# without it a site revisited after one slow page stayed slow for the rest of the run.
LOWERING_STATUSES = frozenset({200, 304})


class SiteAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle (same AUTOTHROTTLE_* settings and policy), with per-site bounds.

    Replaces ``scrapy.extensions.throttle.AutoThrottle`` in ``EXTENSIONS``. Why a subclass: Scrapy's
    AutoThrottle keeps one floor (``DOWNLOAD_DELAY``) and one ceiling (``AUTOTHROTTLE_MAX_DELAY``,
    60 s) for every slot. So it lowered a site's configured ``politeness.delay`` to DOWNLOAD_DELAY,
    and one slow answer set the site's delay to its latency / AUTOTHROTTLE_TARGET_CONCURRENCY: a
    page whose headers took 15 s made every later request of that site wait ~7.5 s (±50% jitter),
    and only 200 answers brought it down again. Here each slot's delay stays within:

    * floor: the larger of ``DOWNLOAD_DELAY`` and the site's own delay (``DOWNLOAD_SLOTS``, filled
      from ``politeness.delay`` by the runner);
    * ceiling: ``SYNDICRAWL_FETCH_MAX_SITE_DELAY`` (:class:`~crawler.fetch.options.ThrottleOptions`;
      ``AUTOTHROTTLE_MAX_DELAY`` too if set lower), but never below the floor: a site that asks
      for a longer delay gets it.

    200 and 304 answers may lower a delay. Counts ``fetch/delay_capped`` per site when an answer
    asked for more than the ceiling, and keeps the largest delay a site had in
    ``syndicrawl/site/<site>/fetch/delay_max_seconds``.
    """

    def __init__(self, crawler: Crawler, options: ThrottleOptions | None = None) -> None:
        super().__init__(crawler)  # Scrapy's AUTOTHROTTLE_* settings
        self.max_site_delay = (options or ThrottleOptions()).max_site_delay
        self.slot_delays: dict[str, Any] = crawler.settings.getdict("DOWNLOAD_SLOTS")
        self._current: tuple[str | None, float, float] = (None, 0.0, self.max_site_delay)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, read_options(ThrottleOptions, crawler.settings))

    def bounds(self, key: str | None) -> tuple[float, float]:
        """(floor, ceiling) of the delay of download slot ``key``."""
        own = (self.slot_delays.get(key) or {}).get("delay") if key is not None else None
        floor = max(self.mindelay, float(own or 0.0))
        return floor, max(floor, min(self.maxdelay, self.max_site_delay))

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        key = request.meta.get("download_slot")
        self._current = (key, *self.bounds(key))
        super()._response_downloaded(response, request, spider)
        _key, slot = self._get_slot(request, spider)
        if slot is not None and self.crawler.stats is not None and key in self.slot_delays:
            self.crawler.stats.max_value(
                stat_key("fetch", "delay_max_seconds", site=key), round(slot.delay, 3)
            )

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        """Scrapy's policy (move halfway to latency / target concurrency, or straight up to it)
        within :meth:`bounds`; the slot's bounds are set by _response_downloaded just before."""
        key, floor, ceiling = self._current
        target = latency / self.target_concurrency
        wanted = max(target, (slot.delay + target) / 2.0)
        new_delay = min(max(floor, wanted), ceiling)
        if wanted > ceiling:
            site = key if key in self.slot_delays else None  # a site's slot, not a bare host's
            count_outcome(self.crawler.stats, "delay_capped", site=site)
        if response.status not in LOWERING_STATUSES and new_delay <= slot.delay:
            return
        slot.delay = new_delay
