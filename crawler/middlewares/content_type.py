"""Skip responses that are not the kind of document the spider asked for."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from .common import HTML_KINDS, XML_KINDS, SiteAwareMiddleware, count_outcome, site_of
from .errors import NonHtmlResponse, NonXmlResponse
from .sniff import Verdict, judge_html, judge_xml, media_type

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class ContentTypeMiddleware(SiteAwareMiddleware):
    """Downloader middleware: only HTML reaches article/listing callbacks, only XML/gzip/text feeds.

    Looks at 2xx responses whose request has ``meta["kind"]`` in article/listing (HTML or XHTML) or
    feed/sitemap (XML, gzip, plain text); others pass untouched. The body's magic bytes beat the
    Content-Type header. A refused body raises :class:`NonHtmlResponse` / :class:`NonXmlResponse`
    and counts ``skipped_non_html`` / ``skipped_non_xml`` per site (``/<type>`` for the run). An
    accepted body under a wrong or missing header counts ``content_type_mismatch/<declared>`` or
    ``content_type_missing`` and is handed on as an HtmlResponse / XmlResponse.

    Must see decompressed bodies: its priority is below HttpCompressionMiddleware's (590).
    """

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get("kind")
        if not 200 <= response.status < 300 or (kind not in HTML_KINDS and kind not in XML_KINDS):
            return response
        declared = media_type(response.headers.get(b"Content-Type"))
        if kind in HTML_KINDS:
            verdict = judge_html(declared, response.body)
        else:
            verdict = judge_xml(declared, response.body)
        site = site_of(request, self._spider_getter())
        if verdict.outcome is not None:
            count_outcome(self.stats, verdict.outcome, verdict.detail, site=site)
        if not verdict.accept:
            error = NonHtmlResponse if kind in HTML_KINDS else NonXmlResponse
            logger.info(
                "ContentType: skipping %(kind)s %(url)s: body is %(found)s (Content-Type %(declared)s)",
                {"kind": kind, "url": response.url, "found": verdict.detail, "declared": declared},
            )
            raise error(
                f"{kind} page is {verdict.detail} (Content-Type {declared}), "
                f"not {'HTML' if kind in HTML_KINDS else 'XML'}: {response.url}"
            )
        if verdict.outcome is not None:
            logger.debug(
                "ContentType: %(url)s is %(body)s under Content-Type %(declared)s; accepting it",
                {"url": response.url, "body": verdict.body_type, "declared": declared},
            )
        return self._retype(response, verdict)

    @staticmethod
    def _retype(response: Response, verdict: Verdict) -> Response:
        # Scrapy picks the response class from the header, so a mislabelled page must be recast
        # for selectors (and MetaRefreshMiddleware) to treat it as what it is.
        if verdict.body_type == "text/html" and not isinstance(response, HtmlResponse):
            return response.replace(cls=HtmlResponse)
        if verdict.body_type == "application/xml" and not isinstance(response, XmlResponse):
            return response.replace(cls=XmlResponse)
        if verdict.body_type == "text/plain" and not isinstance(response, TextResponse):
            return response.replace(cls=TextResponse)
        return response
