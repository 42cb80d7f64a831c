"""Settings a crawl takes from its sites: a download slot per site (politeness) and, for sites with
``render_javascript: true``, Chromium through scrapy-playwright.

Applied by the runner (``syndicrawl crawl``) and by :class:`~crawler.spiders.news.NewsSpider` when
Scrapy's own ``scrapy crawl news`` starts it (its settings are not frozen yet then).
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.config import read_options, setting_name
from crawler.options import BrowserOptions
from crawler.registry import SiteConfig

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Flags that keep Chromium off the network it would otherwise call home to, and runnable as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ChromiumMissing(RuntimeError):
    """A site needs JavaScript rendering and no Chromium executable was found."""


def apply_site_settings(
    settings: BaseSettings, sites: dict[str, SiteConfig], *, priority: str = "cmdline"
) -> None:
    # Per-site politeness: each site is its own download slot (the spider sets download_slot).
    slots = {
        name: {"concurrency": site.politeness.concurrency, "delay": site.politeness.delay}
        for name, site in sites.items()
    }
    settings.set("DOWNLOAD_SLOTS", slots, priority=priority)
    if not any(site.render_javascript for site in sites.values()):
        return
    chromium = read_options(BrowserOptions, settings).chromium_path
    if not Path(chromium).exists():
        js_sites = sorted(n for n, s in sites.items() if s.render_javascript)
        raise ChromiumMissing(
            f"sites {js_sites} need JavaScript rendering but no Chromium was found at {chromium} "
            f"(install Debian's 'chromium' package or set "
            f"{setting_name(BrowserOptions, 'chromium_path')})"
        )
    settings.set(
        "DOWNLOAD_HANDLERS",
        {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        priority=priority,
    )
    settings.set(
        "PLAYWRIGHT_LAUNCH_OPTIONS",
        {"executable_path": chromium, "headless": True, "args": CHROMIUM_ARGS},
        priority=priority,
    )
