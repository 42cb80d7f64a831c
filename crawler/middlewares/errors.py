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
          +-- ShutdownCancelled   not sent, or cut, because the crawl is closing (fetched next run)
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


class ShutdownCancelled(FetchRefused):
    """The crawl is closing: the request was not sent (or its download was cut after the grace).

    Not a failure of the site: the spider counts it as ``cancelled_at_shutdown``, records nothing
    in the seen-store, so the next run fetches the page again.
    """

    reason = "cancelled_at_shutdown"
