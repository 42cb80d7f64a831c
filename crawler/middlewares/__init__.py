"""Fetch-stage safety and politeness: Scrapy downloader middlewares, one module each.

``DOWNLOADER_MIDDLEWARES`` below is what crawler/settings.py merges in. process_request runs in
ascending priority, process_response/process_exception in descending priority; the numbers place
each component against Scrapy's built-ins (RobotsTxt 100, DownloadTimeout 350, Retry 550,
MetaRefresh 580, HttpCompression 590, Redirect 600)::

     50  AddressGuardMiddleware    before robots.txt is fetched for a host, and before any connect
     60  RequestBudgetMiddleware   counts what passed the guard, robots.txt and retries included
    540  FailureStatsMiddleware    process_exception after retry gave up: the final failure
    550  PoliteRetryMiddleware     replaces Scrapy's RetryMiddleware (set to None)
    583  EncodingMiddleware        after ContentType, on decompressed HtmlResponses
    585  ContentTypeMiddleware     after HttpCompression (590) decompressed the body
    610  RedirectLimitMiddleware   sees 3xx before RedirectMiddleware (600) follows it

Stats (``pipelines.stats`` keys, stage ``fetch``): ``refused_address``, ``refused_scheme``,
``budget_exceeded``, ``skipped_non_html``, ``skipped_non_xml``, ``content_type_mismatch``,
``content_type_missing``, ``encoding_corrected``, ``retried``, ``gave_up``,
``retry_after_over_cap``, ``redirect_loop``, ``too_many_redirects``, ``cancelled_at_shutdown``
(``crawler/fetch/downloader.py``, and retries dropped on close) and the final failures
``too_large``, ``timeout``, ``dns``, ``connection``, ``data_loss``, ``robots_forbidden``, ... (see
:func:`crawler.middlewares.failures.classify_failure`).
"""

from __future__ import annotations

DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "crawler.middlewares.address_guard.AddressGuardMiddleware": 50,
    "crawler.middlewares.budget.RequestBudgetMiddleware": 60,
    "crawler.middlewares.failures.FailureStatsMiddleware": 540,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.PoliteRetryMiddleware": 550,
    "crawler.middlewares.recode.EncodingMiddleware": 583,
    "crawler.middlewares.content_type.ContentTypeMiddleware": 585,
    "crawler.middlewares.redirects.RedirectLimitMiddleware": 610,
}
