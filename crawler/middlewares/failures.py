"""Name why a download failed, and count final failures per site."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as txerror
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from .common import SiteAwareMiddleware, count_outcome, site_of
from .errors import FetchRefused

if TYPE_CHECKING:
    from scrapy import Request

logger = logging.getLogger(__name__)

_TIMEOUT: tuple[type[BaseException], ...] = (
    DownloadTimeoutError,
    txerror.TimeoutError,
    txerror.TCPTimedOutError,
    asyncio.TimeoutError,
    TimeoutError,
)
_DNS: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    txerror.DNSLookupError,
    socket.gaierror,
)
_CONNECTION: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseFailed,
    txerror.ConnectError,
    txerror.ConnectionLost,
    txerror.ConnectionDone,
    ConnectionError,
)


def classify_failure(failure_or_exception: Failure | BaseException) -> str:
    """A short, bounded name for why a request failed, usable as a stat key part.

    ``too_large`` (DOWNLOAD_MAXSIZE), ``too_large_decompressed`` (a gzip bomb), ``timeout``, ``dns``, ``connection`` (refused, reset, lost),
    ``data_loss``, ``http_<status>`` (HttpError from HttpErrorMiddleware), ``robots_forbidden``,
    ``too_many_redirects``, the ``reason`` of a :class:`FetchRefused` (``refused_address``,
    ``budget_exceeded``, ``skipped_non_html``, ``redirect_loop``, ...), ``cancelled``,
    ``unsupported_scheme``, ``ignored`` or ``other``.
    """
    exc = (
        failure_or_exception.value
        if isinstance(failure_or_exception, Failure)
        else failure_or_exception
    )
    if isinstance(exc, FetchRefused):
        return exc.reason
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        message = str(exc).lower()
        if "robots.txt" in message:
            return "robots_forbidden"
        if "max redirections" in message:
            return "too_many_redirects"
        if "download_maxsize" in message and "decompression" in message:
            # HttpCompressionMiddleware stopped inflating a body (a gzip/brotli bomb).
            return "too_large_decompressed"
        return "ignored"
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels a body over DOWNLOAD_MAXSIZE with this message when Content-Length
        # announced it (utils/_download_handlers.py), and with an empty one when it finds out while
        # streaming a body without Content-Length (http11 ``_finished.cancel()``).
        message = str(exc)
        return "too_large" if "max size" in message or not message.strip() else "cancelled"
    if isinstance(exc, _TIMEOUT):
        return "timeout"
    if isinstance(exc, _DNS):
        return "dns"
    if isinstance(exc, ResponseDataLossError):
        return "data_loss"
    if isinstance(exc, _CONNECTION):
        return "connection"
    if isinstance(exc, UnsupportedURLSchemeError):
        return "unsupported_scheme"
    return "other"


class FailureStatsMiddleware(SiteAwareMiddleware):
    """Downloader middleware: count each request's final download failure per site.

    Sits just below the retry middleware (priority 540 < 550), so a failure that will be retried is
    not counted here (PoliteRetryMiddleware counts ``retried/<failure>``); one that retries could not
    cure, or that is never retried, counts ``<classify_failure(exc)>`` per site, e.g.
    ``syndicrawl/site/<site>/fetch/too_large_count``. Refusals by the other syndicrawl middlewares
    were counted when raised and are skipped. A spider errback can call :func:`classify_failure`
    for its logs without counting again.
    """

    def process_exception(self, request: Request, exception: Exception) -> Any:
        if isinstance(exception, FetchRefused):
            return None
        outcome = classify_failure(exception)
        count_outcome(
            self.stats,
            outcome,
            type(exception).__name__,
            site=site_of(request, self._spider_getter()),
        )
        logger.debug(
            "FetchFailure: %(url)s failed (%(outcome)s): %(exc)s",
            {"url": request.url, "outcome": outcome, "exc": exception},
        )
        return None
