"""Why an article was dropped: one ``DropItem`` subclass per reason.

Scrapy counts drops as ``item_dropped_reasons_count/<ClassName>``, so each class name is a metric.
Messages say what happened, the value, the limit and which page.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem


class ArticleDropped(DropItem):
    """Base class of every drop reason."""

    fetch_again: bool = False
    """The crawl, not the page, failed: the seen-store does not keep the article, so the next run
    fetches it again (otherwise it would count as seen and unchanged, and never be exported)."""


class NotAnArticle(ArticleDropped):
    """The page is a listing, tag page or other non-article (no article body found)."""


class EmptyExtraction(ArticleDropped):
    """The page had no extractable body text."""


class BodyTooShort(ArticleDropped):
    """The body text is shorter than SYNDICRAWL_EXTRACT_MIN_CHARS."""


class BadEncoding(ArticleDropped):
    """The page could not be decoded to text."""


class PageTooLarge(ArticleDropped):
    """The page is larger than SYNDICRAWL_EXTRACT_MAX_HTML_CHARS."""


class InvalidRecord(ArticleDropped):
    """The record does not validate against the exported JSON Schema."""


class DuplicateArticle(ArticleDropped):
    """The same URL was already exported in this run (e.g. reached from two feeds)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class UnchangedArticle(ArticleDropped):
    """The article's text is the same as when it was last exported."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class CopyFilteredOut(ArticleDropped):
    """A republication not exported because SYNDICRAWL_SYNDICATION_MODE=originals."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class ExportFailed(ArticleDropped):
    """The record could not be written to the export's local spool (disk full, permissions)."""

    fetch_again = True


class WorkerCrashed(ArticleDropped):
    """The pool worker processing the page died, or the pool could not start any (pipelines/runtime/pool.py)."""

    fetch_again = True
