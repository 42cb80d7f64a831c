"""Scrapy settings for syndicrawl: the only module that reads the environment.

Groups follow Scrapy's default_settings: Scrapy's own settings first, then ours, each group
alphabetical. Our settings are ``SYNDICRAWL_<STAGE>_<NAME>``, declared once beside the component
that reads them (:mod:`crawler.config`, listed in ``crawler/declarations.py``); this module takes
their defaults from there, and docs/configuration.md's table is printed from the same declarations
(a test keeps the two equal).

Every ``SYNDICRAWL_*`` setting can be set by an environment variable of the same name, parsed to
the type of its default (``crawler/envsettings.py``; the end of this module applies it);
``syndicrawl crawl --set`` wins over the environment.
"""

from __future__ import annotations

import os

from crawler import declarations, envsettings
from crawler.config import defaults, fixed_settings, read_options
from crawler.options import RunOptions, user_agent

# Scrapy takes every upper-case name of this module as a setting: the modules above are imported
# whole, so that only settings are upper case here.

BOT_NAME = "syndicrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Scrapy: politeness and fetching --------------------------------------------------------
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
# AUTOTHROTTLE_MAX_DELAY is left at Scrapy's: SYNDICRAWL_FETCH_MAX_SITE_DELAY bounds each site
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_ITEMS = (
    8  # Scrapy starts this many tasks per callback output; one article per response needs few
)
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # bytes; larger pages are cancelled and counted
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_TIMES = 3
ROBOTSTXT_OBEY = True
# USER_AGENT is made from SYNDICRAWL_CONTACT_URL at the end, once the environment is applied.

# --- Scrapy: engine ---------------------------------------------------------------------------
# Scrapy's Downloader, but a closing crawl sends nothing more (crawler/fetch/downloader.py)
DOWNLOADER = "crawler.fetch.downloader.ClosingDownloader"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"  # environment: SYNDICRAWL_LOG_LEVEL
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TELNETCONSOLE_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- syndicrawl: pipeline stages (priority = order in the data flow) --------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.revisit.RevisitPipeline": 250,
    "pipelines.dates.DatesPipeline": 300,
    "pipelines.syndication.SyndicationPipeline": 400,
    "pipelines.export.ExportPipeline": 500,
}

# --- syndicrawl: discovery and fetching ------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.address_guard.AddressGuardMiddleware": 50,  # before RobotsTxt (100)
    "crawler.middlewares.budget.RequestBudgetMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.StrictRobotsTxtMiddleware": 100,  # robots.txt that fails closed
    "crawler.middlewares.failures.FailureStatsMiddleware": 540,  # sees failures after retries gave up
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.PoliteRetryMiddleware": 550,  # Scrapy's retry + Retry-After + backoff
    "crawler.middlewares.recode.EncodingMiddleware": 583,
    "crawler.middlewares.content_type.ContentTypeMiddleware": 585,  # below HttpCompression (590)
    "crawler.middlewares.redirects.RedirectLimitMiddleware": 610,  # sees the 3xx before Redirect (600)
}
# The browser fetches subresources itself; this hook puts them through the address guard too.
PLAYWRIGHT_ABORT_REQUEST = "crawler.middlewares.address_guard.abort_browser_request"
PLAYWRIGHT_MAX_CONTEXTS = 2  # bounded so memory stays flat on long crawls
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms; the runner sets it to DOWNLOAD_TIMEOUT

# --- syndicrawl: monitoring and reporting ----------------------------------------------------
EXTENSIONS = {
    # AutoThrottle with per-site bounds: the site's own delay below, MAX_SITE_DELAY above
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.fetch.throttle.SiteAutoThrottle": 0,
    "crawler.monitoring.extension.MonitorStats": 500,  # per-site drop/date/text counts
    "pipelines.runtime.gc_tuning.GcTuning": 0,  # fewer garbage collections in the crawl process
    "crawler.progress.CrawlProgress": 10,  # progress line on stderr (SYNDICRAWL_PROGRESS)
}
# Scrapy's in-memory stats without its per-access deprecation wrapper (crawler/stats.py)
STATS_CLASS = "crawler.stats.StatsCollector"

# AWS credentials come from the standard boto3 chain; these reuse Scrapy's own setting names.
AWS_ENDPOINT_URL = os.environ.get("AWS_ENDPOINT_URL") or None
AWS_REGION_NAME = os.environ.get("AWS_DEFAULT_REGION") or None

# --- syndicrawl: our own settings --------------------------------------------------------------
# Each stage's, with its default, meaning and bounds, is declared beside it (crawler/declarations.py
# lists the classes; `python -m crawler.config --markdown` prints them as docs/configuration.md's
# table).
_declared = defaults(declarations.OPTIONS)
globals().update(_declared)

# --- the environment ----------------------------------------------------------------------------
# Every SYNDICRAWL_* setting takes an environment variable of the same name (parsed to its
# default's type; a bad value raises SettingValueError naming it), except those the runner sets for
# each run. Variables that name no setting are kept for the runner to warn about. Scrapy's own
# settings are not read from the environment: their bare names (LOG_LEVEL, USER_AGENT, ...) are too
# common to be meant for this crawler.
_environment, unknown_environment = envsettings.environment_overrides(
    _declared, os.environ, fixed=fixed_settings(declarations.OPTIONS)
)
globals().update(_environment)
from_environment = frozenset(_environment)  # names the environment set (e.g. the crawl's state dir)
LOG_LEVEL = os.environ.get(envsettings.LOG_LEVEL_ALIAS, LOG_LEVEL)
USER_AGENT = user_agent(read_options(RunOptions, globals()).contact_url)
