"""Give mislabelled HTML pages the encoding they are really in."""

from __future__ import annotations

import codecs
import logging
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse
from w3lib.encoding import http_content_type_encoding

from .common import HTML_KINDS, SiteAwareMiddleware, count_outcome, site_of
from .encoding import decode_html, utf8_body

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def _same_codec(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _reads_as_utf8(response: HtmlResponse) -> bool:
    """Whether Scrapy read the page as UTF-8 and the bytes are UTF-8: :func:`decode_html` settles
    on UTF-8 for every such body (or, for ASCII, on a reading with the same text), so it need not
    run (a second decode of the page: ~0.15 ms for 270 KB of non-ASCII text). A NUL early on
    leaves it to decode_html, which may read a UTF-16 label there."""
    body = response.body
    return (
        b"\x00" not in body[:512] and utf8_body(response.encoding, response.text, body) is not None
    )


class EncodingMiddleware(SiteAwareMiddleware):
    """Downloader middleware: article/listing HtmlResponses get the encoding :func:`decode_html` finds.

    Scrapy believes the Content-Type charset (then ``<meta>``), so a cp1251 page served as UTF-8
    reaches the spider as replacement characters. When :func:`decode_html` settles on another codec
    and that changes the text, the response is replaced with one whose ``encoding`` is fixed, and
    ``encoding_corrected`` is counted per site (``/<codec>`` for the run).

    Runs after ContentTypeMiddleware (583 < 585), which turns mislabelled HTML into HtmlResponse.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("kind") not in HTML_KINDS or not isinstance(response, HtmlResponse):
            return response
        if _reads_as_utf8(response):
            return response
        header = response.headers.get(b"Content-Type")
        declared = http_content_type_encoding(header.decode("latin-1")) if header else None
        text, used = decode_html(response.body, declared)
        if _same_codec(used, response.encoding) or text == response.text:
            return response
        logger.info(
            "Encoding: %(url)s is labelled %(scrapy)s but reads as %(used)s; decoding it as %(used)s",
            {"url": response.url, "scrapy": response.encoding, "used": used},
        )
        count_outcome(
            self.stats, "encoding_corrected", used, site=site_of(request, self._spider_getter())
        )
        return response.replace(encoding=used)
