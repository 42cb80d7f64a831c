"""trafilatura's text extraction on a tree the caller gives up, without trafilatura's copy of it.

``trafilatura.extract(tree)`` deep-copies a parsed tree before working on it, so that the caller's
tree stays intact. The extraction core parses each page once and has read all it needs from the
tree before trafilatura's fast pass (metadata, the page's text figures, date fallbacks), so that
copy, and freeing it afterwards, is pure cost: 0.26 ms a ~115 KB bench page (the same pass timed
both ways, page by page), about 2% of the whole pipeline's CPU per article.
A :class:`ConsumingPass` runs what ``trafilatura.extract`` runs for the core's options (txt
output, no metadata, no comments, no dedup, no language filter), calling trafilatura's own
extraction sequence on the tree itself.

That sequence is trafilatura's internal helper (``trafilatura.core.trafilatura_sequence``), so it
is used only on the trafilatura version it was checked on (:data:`VERIFIED_VERSION`; a test
compares both ways on the fixture and bench pages) and for options it covers; otherwise, and if
the names are gone, it is ``trafilatura.extract``. The tree afterwards has
lost what trafilatura's raw-tree pruning removes (comment sections, infinite-scroll and share
containers): a caller that runs another pass builds a new tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import trafilatura

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Extractor

VERIFIED_VERSION = "2.3.1"

try:
    from trafilatura.core import determine_returnstring, trafilatura_sequence
    from trafilatura.settings import Document

    HAS_SEQUENCE = True
except ImportError:  # pragma: no cover - another trafilatura layout
    HAS_SEQUENCE = False


def consumes(options: Extractor) -> bool:
    """Whether a :class:`ConsumingPass` with ``options`` skips trafilatura's copy."""
    return (
        HAS_SEQUENCE
        and trafilatura.__version__ == VERIFIED_VERSION
        and options.format == "txt"
        and not options.with_metadata
        and not options.comments
        and not options.dedup
        and not options.lang
        and options.max_tree_size is None
    )


class ConsumingPass:
    """``trafilatura.extract(tree, options=options)``, working on ``tree`` itself when
    :func:`consumes` (decided once, when the extractor is built)."""

    def __init__(self, options: Extractor) -> None:
        self.options = options
        self.consumes = consumes(options)
        """Whether a call leaves the tree pruned (else trafilatura worked on its own copy)."""

    def __call__(self, tree: HtmlElement) -> str | None:
        options = self.options
        if not self.consumes:
            return trafilatura.extract(tree, options=options)
        # as trafilatura.bare_extraction with these options, after its copy of the tree
        try:
            body, text, comments_body, comments = trafilatura_sequence(tree, options, options.url)
        except (TypeError, ValueError):  # bare_extraction's "discarding data"
            return None  # no text: the core drops the page as EmptyExtraction
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            return None
        document = Document()
        document.raw_text, document.commentsbody, document.body = text, comments_body, body
        return str(determine_returnstring(document, options))
