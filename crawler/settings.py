"""Scrapy settings for syndicrawl: the only module that reads the environment.

Groups follow Scrapy's default_settings: Scrapy's own settings first, then ours, each group
alphabetical. Our settings are ``SYNDICRAWL_<STAGE>_<NAME>``; the README's configuration table lists
them (a test keeps the two in step).

Every ``SYNDICRAWL_*`` setting below can be set by an environment variable of the same name, parsed
to the type of its default (``crawler/envsettings.py``; the end of this module applies it);
``syndicrawl crawl --set`` wins over the environment.
"""

from __future__ import annotations

import os

from crawler.envsettings import environment_overrides

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
SYNDICRAWL_CONTACT_URL = "https://github.com/syndicrawl/syndicrawl"
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

# --- syndicrawl: run --------------------------------------------------------------------------
SYNDICRAWL_OUTPUT_URI = "./syndicrawl-output"
SYNDICRAWL_STATE_DIR = "./syndicrawl-output/.state"  # crawl: OUTPUT/.state unless set
SYNDICRAWL_RUN_ID = ""  # set by the runner; one id per crawl run
# Site files for `scrapy crawl news` without `-a sites_dir=DIR` (syndicrawl crawl takes --sites);
# empty: the sites bundled in crawler/sites/.
SYNDICRAWL_SITES_DIR = os.environ.get("SYNDICRAWL_SITES_DIR", "")
# Progress on stderr (crawler/progress.py): off | auto | bar | lines; syndicrawl crawl/demo set auto.
SYNDICRAWL_PROGRESS = "off"
SYNDICRAWL_PROGRESS_INTERVAL = 10.0  # seconds between plain progress lines (not on a terminal)

# --- syndicrawl: export (pipelines/export.py; layout in pipelines/core/storage) ---------------
SYNDICRAWL_EXPORT_BACKOFF_SECONDS = 1.0  # first retry delay, doubled per retry (max 60 s)
SYNDICRAWL_EXPORT_BATCH_SIZE = 500  # records per part file
SYNDICRAWL_EXPORT_COMPRESSION = "gzip"  # gzip | none
SYNDICRAWL_EXPORT_GZIP_LEVEL = 4  # 1 (fastest) .. 9 (smallest)
SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD = 64 * 1024 * 1024  # bytes; at least 5 MiB
SYNDICRAWL_EXPORT_RETRIES = 5  # per upload, after the first attempt

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
SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED = True
SYNDICRAWL_FETCH_ALLOWED_ADDRESSES: list[
    str
] = []  # IPs/CIDRs exempt from the guard (demo, tests: 127.0.0.1)
SYNDICRAWL_FETCH_BACKOFF_BASE = (
    1.0  # s; retry n waits between half and all of min(MAX, BASE * 2**n)
)
SYNDICRAWL_FETCH_BACKOFF_MAX = 30.0
SYNDICRAWL_FETCH_DNS_CACHE_SECONDS = 60.0
SYNDICRAWL_FETCH_MAX_RETRY_AFTER = 120.0  # s; a longer Retry-After means no retry, counted
SYNDICRAWL_FETCH_MAX_SITE_DELAY = (
    5.0  # s; AutoThrottle never delays a site more (its own delay may)
)
SYNDICRAWL_FETCH_SHUTDOWN_GRACE_SECONDS = 5.0  # s; downloads still running this long after a
# shutdown began are cancelled (queued ones are never sent)
SYNDICRAWL_FETCH_REQUEST_BUDGET = (
    5000  # requests per site per run, unless the site sets request_budget
)
SYNDICRAWL_CHROMIUM_PATH = "/usr/bin/chromium"
SYNDICRAWL_DISCOVERY_MAX_LISTING_PAGES = 20  # pagination depth per listing start point
SYNDICRAWL_DISCOVERY_ORIGINALS_FIRST = True  # crawl role=original sites before syndicators
SYNDICRAWL_INCREMENTAL_ENABLED = True  # skip articles seen before whose lastmod did not change
PLAYWRIGHT_MAX_CONTEXTS = 2  # bounded so memory stays flat on long crawls
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms; the runner sets it to DOWNLOAD_TIMEOUT

# --- syndicrawl: extract, clean, dates ---------------------------------------------------------
SYNDICRAWL_CLEAN_LEARN_ENABLED = (
    True  # learn per-site boilerplate (promos, pitches) from the site's pages
)
SYNDICRAWL_CLEAN_LEARN_MAX_CHARS = 400  # longer paragraphs are never learned as boilerplate
SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES = 3  # distinct articles of one site a paragraph must recur in
SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS = (
    20.0  # hold a new site's first articles this long while learning
)
SYNDICRAWL_CLEAN_LEARNED_KEEP_SHARE = 0.5  # a learned pass leaving less of the text is undone
SYNDICRAWL_DATES_FUTURE_SKEW_HOURS = 14.0  # dates later than fetch time + this are rejected
SYNDICRAWL_DATES_MIN_YEAR = 1990  # earlier dates are rejected
SYNDICRAWL_EXTRACT_MAX_HTML_CHARS = 8 * 1024 * 1024  # decoded page size limit
SYNDICRAWL_EXTRACT_MIN_CHARS = 200  # shorter bodies are dropped (BodyTooShort)
SYNDICRAWL_EXTRACT_RESCUE_BELOW_CHARS = 500  # below this, a second full-precision trafilatura pass
SYNDICRAWL_POOL_MAX_PENDING = (
    0  # pages in the pool at once; 0: 4 per process (pipelines/runtime/pool.py)
)
SYNDICRAWL_POOL_PROCESSES = (
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
)  # worker processes for extract and dates (default: the cores this process may use); 0: in the crawl process
SYNDICRAWL_POOL_RESET_EVERY = 1000  # pages after which a worker clears trafilatura's caches
SYNDICRAWL_POOL_MAX_FAILED_STARTS = 5  # workers dying in a row before any result: pool_broken
SYNDICRAWL_GC_FREEZE = (
    True  # crawl process: freeze the start-up objects (pipelines/runtime/gc_tuning.py)
)
SYNDICRAWL_GC_THRESHOLD = 50_000  # crawl process: first-generation GC threshold; 0: Python's

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
SYNDICRAWL_MONITOR_ENABLED = True
SYNDICRAWL_MONITOR_DROP_RATIO = (
    0.5  # discovered+unchanged below this share of the recent median fails
)
SYNDICRAWL_MONITOR_HISTORY_RUNS = 10
SYNDICRAWL_MONITOR_MAX_ERROR_RATE = 0.2  # failed fetches / attempted, per site
SYNDICRAWL_MONITOR_MAX_TEXT_LOSS_SHARE = 0.5
SYNDICRAWL_MONITOR_MAX_UNDATED_SHARE = 0.5
SYNDICRAWL_MONITOR_MIN_HISTORY_RUNS = 3
SYNDICRAWL_MONITOR_MIN_SAMPLE = 3  # fewer articles than this: the share monitors do not judge
SYNDICRAWL_NOTIFY_EMAIL_FROM = "syndicrawl@localhost"
SYNDICRAWL_NOTIFY_EMAIL_TO = ""  # comma-separated
SYNDICRAWL_NOTIFY_SLACK_WEBHOOK = ""
SYNDICRAWL_NOTIFY_SMTP_HOST = ""  # host[:port]
SYNDICRAWL_PROMETHEUS_JOB = "syndicrawl"
SYNDICRAWL_PROMETHEUS_PUSHGATEWAY = ""
SYNDICRAWL_PROMETHEUS_TEXTFILE = ""

# AWS credentials come from the standard boto3 chain; these reuse Scrapy's own setting names.
AWS_ENDPOINT_URL = os.environ.get("AWS_ENDPOINT_URL") or None
AWS_REGION_NAME = os.environ.get("AWS_DEFAULT_REGION") or None

# --- syndicrawl: syndication (pipelines/syndication.py; owner: syndication stage) --------------
# Thresholds tuned with `syndicrawl eval syndication` (figures in pipelines/core/dedupe/verify.py).
SYNDICRAWL_SYNDICATION_BACKEND = "sqlite"  # sqlite|redis
SYNDICRAWL_SYNDICATION_CREDITED_MIN_SCORE = 0.45
SYNDICRAWL_SYNDICATION_ENABLED = True
SYNDICRAWL_SYNDICATION_MIN_CONTAINMENT = 0.5
SYNDICRAWL_SYNDICATION_MODE = "annotate"  # annotate|originals|separate
SYNDICRAWL_SYNDICATION_REDIS_PREFIX = "syndicrawl:syn"
SYNDICRAWL_SYNDICATION_TEXT_CACHE = 2000
SYNDICRAWL_SYNDICATION_WINDOW_DAYS = 14.0
SYNDICRAWL_REDIS_URL = "redis://127.0.0.1:6379/0"

# --- syndicrawl: distributed mode (crawler/distributed; `syndicrawl crawl --redis URL`) ----------
SYNDICRAWL_DISTRIBUTED_ENABLED = False
SYNDICRAWL_DISTRIBUTED_HEARTBEAT_SECONDS = 5.0  # dead after 3 misses
SYNDICRAWL_DISTRIBUTED_PREFIX = "syndicrawl"  # Redis key prefix
SYNDICRAWL_DISTRIBUTED_SEED_ONLY = False  # set by `syndicrawl crawl --seed-only`
SYNDICRAWL_DISTRIBUTED_WORKER_ID = ""  # default HOST-PID-RANDOM

# --- the environment ----------------------------------------------------------------------------
# Every SYNDICRAWL_* setting above takes an environment variable of the same name (parsed to its
# default's type; a bad value raises SettingValueError naming it). Variables that name no setting
# are kept for the runner to warn about. Scrapy's own settings are not read from the environment:
# their bare names (LOG_LEVEL, USER_AGENT, ...) are too common to be meant for this crawler.
_environment, unknown_environment = environment_overrides(globals(), os.environ)
globals().update(_environment)
from_environment = frozenset(_environment)  # names the environment set (e.g. the crawl's state dir)
LOG_LEVEL = os.environ.get("SYNDICRAWL_LOG_LEVEL", LOG_LEVEL)
USER_AGENT = f"syndicrawl/0.1 (+{SYNDICRAWL_CONTACT_URL})"
