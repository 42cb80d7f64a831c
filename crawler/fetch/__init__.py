"""Fetch-stage components that are not downloader middlewares (those are in crawler/middlewares).

* :mod:`crawler.fetch.throttle`: AutoThrottle bounded per site (``SYNDICRAWL_FETCH_MAX_SITE_DELAY``).
* :mod:`crawler.fetch.downloader`: Scrapy's Downloader that stops fetching once the crawl closes.
* :mod:`crawler.fetch.closing`: when the close began, and waits that end early when it does.

How they fit together is in docs/reliability.md.
"""
