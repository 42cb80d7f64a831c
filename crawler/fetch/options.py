"""Settings of the throttle and the downloader (declarations only: light to import; see
:mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Options, setting


@dataclass(frozen=True, kw_only=True)
class ThrottleOptions(Options):
    """``crawler.fetch.throttle.SiteAutoThrottle`` (Scrapy's AUTOTHROTTLE_* apply too)."""

    max_site_delay: float = setting(
        "SYNDICRAWL_FETCH_MAX_SITE_DELAY",
        5.0,
        "seconds; AutoThrottle never delays a site's requests more (a longer `politeness.delay` "
        "of the site is kept)",
        low=0,
    )


@dataclass(frozen=True, kw_only=True)
class DownloaderOptions(Options):
    """``crawler.fetch.downloader.ClosingDownloader``."""

    shutdown_grace_seconds: float = setting(
        "SYNDICRAWL_FETCH_SHUTDOWN_GRACE_SECONDS",
        5.0,
        "seconds; on shutdown, downloads still running this long are cancelled (queued ones are "
        "never sent)",
        low=0,
    )
