"""Why a request was refused before or after download: one ``IgnoreRequest`` subclass per reason.

Each class carries ``reason``, the stat outcome it was counted under, so a spider errback can tell
an already-counted refusal from a real download failure (:func:`crawler.middlewares.failures.classify_failure`
returns it). Hierarchy::

    IgnoreRequest (Scrapy)
     +-- FetchRefused
          +-- RefusedAddress      host resolves to a private/loopback/link-local/... address
          +-- RefusedScheme       not http(s)
          +-- BudgetExceeded      the site used up SYNDICRAWL_FETCH_REQUEST_BUDGET
          +-- NonHtmlResponse     an article/listing that is an image, PDF, archive, ...
          +-- NonXmlResponse      a feed/sitemap that is not XML, gzip or text
          +-- RedirectLoop        a redirect back to a URL already in the chain
          +-- TooManyRedirects    more than REDIRECT_MAX_TIMES redirects
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class FetchRefused(IgnoreRequest):
    """Base class: the request was refused by a syndicrawl fetch middleware (already counted)."""

    reason = "refused"


class RefusedAddress(FetchRefused):
    reason = "refused_address"


class RefusedScheme(FetchRefused):
    reason = "refused_scheme"


class BudgetExceeded(FetchRefused):
    reason = "budget_exceeded"


class NonHtmlResponse(FetchRefused):
    reason = "skipped_non_html"


class NonXmlResponse(FetchRefused):
    reason = "skipped_non_xml"


class RedirectLoop(FetchRefused):
    reason = "redirect_loop"


class TooManyRedirects(FetchRefused):
    reason = "too_many_redirects"
