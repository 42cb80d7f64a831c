"""Extract an article from one page's HTML: body paragraphs with trafilatura, metadata from the tree.

The HTML is parsed once; the site's boilerplate selectors are removed from that tree, the metadata
is read from it, and trafilatura gets it with one :class:`trafilatura.settings.Extractor` built per
:class:`ExtractOptions`. Preconditions raise, never return None::

    ExtractionError
     ├── PageTooLargeError    html longer than ExtractOptions.max_html_chars
     ├── EmptyExtractionError no HTML, or no body text found
     ├── NotAnArticleError    the page declares itself a listing and has little text
     └── BodyTooShortError    body text shorter than ExtractOptions.min_chars
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

import courlan
import htmldate
import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import MANUALLY_CLEANED, Extractor

from pipelines.core.consuming_pass import ConsumingPass
from pipelines.core.language import detect_language
from pipelines.core.lead import visible_lead
from pipelines.core.metadata import DateCandidate, PageMetadata, normalise_language, read_metadata
from pipelines.core.pagetext import PageText, link_key, read_page_text
from pipelines.core.parsing import parse_html
from pipelines.core.selectors import compile_selectors
from pipelines.core.split_body import continue_split_body

if TYPE_CHECKING:
    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

DEFAULT_MIN_CHARS = 200
DEFAULT_MAX_HTML_CHARS = 8 * 1024 * 1024


class ExtractionError(Exception):
    """Base of the extraction core's errors; ``reason`` names the drop reason."""

    reason = "ExtractionError"


class PageTooLargeError(ExtractionError):
    reason = "PageTooLarge"


class EmptyExtractionError(ExtractionError):
    reason = "EmptyExtraction"


class NotAnArticleError(ExtractionError):
    reason = "NotAnArticle"


class BodyTooShortError(ExtractionError):
    reason = "BodyTooShort"


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Options of the extraction core, built once per crawl (``from_crawler``) or per command.

    Chosen by measurement on article-extraction-benchmark (181 pages, our extract + clean, F1 of
    4-shingles; std about 0.005; trafilatura 2.3.1)::

        trafilatura mode                 F1      pages/s vs bare trafilatura
        fast + favor_recall              0.970   1.5x
        default (fallbacks), precision   0.972   0.87x
        fast + favor_precision           0.953   1.4x   (recall drops to 0.944)

    So: trafilatura's fast mode with ``favor_recall`` (our clean stage supplies the precision),
    then a cascade that runs only where the fast pass shows it found too little:

    1. less than ``rescue_below_chars``: a full pass with trafilatura's readability/jusText
       fallbacks and ``favor_precision``, as before;
    2. less than ``split_body_below_share`` of the page's ``<p>`` text: the other parts of a body
       split over same-class containers (:mod:`pipelines.core.split_body`);
    3. still less than ``rescue_below_share`` of it, or a page keeping its body outside ``<p>``
       (its ``<p>`` text under ``outside_p_share`` of what was found, so coverage cannot be told):
       trafilatura's full balanced cascade (bare trafilatura's own), taken if it finds at least
       ``rescue_growth`` times as much and is not a page dump (repeated lines).

    The shares were chosen on the fundus corpus (``syndicrawl eval extraction`` prints which) and
    are reported, not tuned, on article-extraction-benchmark and newspaper4k.
    """

    min_chars: int = DEFAULT_MIN_CHARS
    max_html_chars: int = DEFAULT_MAX_HTML_CHARS
    fast: bool = True
    favor_precision: bool = False
    favor_recall: bool = True
    rescue_below_chars: int = 500
    split_body_below_share: float = 0.5
    rescue_below_share: float = 0.2
    outside_p_share: float = 0.1
    rescue_growth: float = 1.1
    include_tables: bool = True

    def __post_init__(self) -> None:
        if self.min_chars < 0:
            raise ValueError(f"min_chars must be >= 0, got {self.min_chars}")
        if self.max_html_chars < 1:
            raise ValueError(f"max_html_chars must be >= 1, got {self.max_html_chars}")
        if self.rescue_below_chars < 0:
            raise ValueError(f"rescue_below_chars must be >= 0, got {self.rescue_below_chars}")
        for name in ("split_body_below_share", "rescue_below_share", "outside_p_share"):
            share = getattr(self, name)
            if not 0 <= share <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {share}")
        if self.rescue_growth < 1:
            raise ValueError(f"rescue_growth must be >= 1, got {self.rescue_growth}")
        if self.favor_precision and self.favor_recall:
            raise ValueError("favor_precision and favor_recall exclude each other; choose one")

    def trafilatura_options(self) -> Extractor:
        """trafilatura's own options object: comments off, plain text out, no dedup (see STYLE 8)."""
        return Extractor(
            output_format="txt",
            fast=self.fast,
            comments=False,
            precision=self.favor_precision,
            recall=self.favor_recall,
            tables=self.include_tables,
            dedup=False,
        )

    def rescue_options(self) -> Extractor | None:
        """The full second pass for short texts, or None when the first pass is already full."""
        if not self.fast or self.rescue_below_chars == 0:
            return None
        return Extractor(
            output_format="txt",
            comments=False,
            precision=True,
            tables=self.include_tables,
            dedup=False,
        )

    def coverage_options(self) -> Extractor | None:
        """trafilatura's full balanced cascade, for a fast pass that covers too little of the page."""
        if not self.fast:
            return None
        return Extractor(
            output_format="txt", comments=False, tables=self.include_tables, dedup=False
        )


@dataclass(slots=True)
class Extraction:
    """What the extraction core found on one page."""

    paragraphs: list[str]
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    language: str | None = None
    metadata: PageMetadata = field(default_factory=PageMetadata)
    linked: frozenset[str] = frozenset()
    """The paragraphs that are, whole, the text of a link to another page (teasers): for the
    clean stage, which no longer sees the page."""
    pass_used: str = "fast"
    """Which pass of the cascade gave the text: fast, short, split-body, coverage."""

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


# Each run of spacing becomes one plain space, in two steps (other spacing to plain spaces, then
# runs of those to one): one pattern matching every run made the split ~3x slower.
_ODD_SPACE = re.compile("[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]")
_SPACE_RUN = re.compile(" {2,}")


def normalise_url(url: str | None, base: str | None = None) -> str | None:
    """Absolute, lower-case host, no fragment or tracking parameters; None for non-http(s)."""
    if not url:
        return None
    absolute = urljoin(base, url.strip()) if base else url.strip()
    absolute = urldefrag(absolute)[0]
    if not absolute.startswith(("http://", "https://")):
        return None
    try:
        return str(courlan.normalize_url(absolute))
    except ValueError:
        return absolute


def _chars_above(html: str | bytes, limit: int) -> int | None:
    """The characters of ``html`` when they are more than ``limit``, else None (UTF-8 bytes are
    decoded only when there are more bytes than that: a character is one byte or more)."""
    if len(html) <= limit:
        return None
    chars = len(html) if isinstance(html, str) else len(html.decode("utf-8", "replace"))
    return chars if chars > limit else None


def _parse(html: str | bytes) -> lxml_html.HtmlElement:
    tree = parse_html(html)
    if tree is None:
        raise EmptyExtractionError("HTML could not be parsed into a document")
    return tree


_LOOKED_INTO = frozenset({"figure", "math", "form", "time", "head", "script", "svg"})
"""Of the elements trafilatura's cleaning deletes, those it reads first (a figure holding a table,
a formula, a form's fields, scripts), or whose early removal changed its text on a corpus page
(an ``<svg>`` icon in a header link; a ``<script>`` in ``<head>``): left to trafilatura."""
_DELETED_ANYWAY = tuple(tag for tag in MANUALLY_CLEANED if tag not in _LOOKED_INTO)


def strip_deleted_anyway(tree: lxml_html.HtmlElement) -> None:
    """Strip from ``tree`` the elements trafilatura's cleaning deletes anyway (nav, aside, footer,
    buttons, inputs, styles...), in C with lxml. trafilatura first runs XPaths over the raw tree
    whose regex tests call back into Python for every div and list, menus and footers included.
    A fast pass on the bench's pages: 5.3 to 4.3 ms; on the shared corpora's: 8.0 to 7.3 ms; the
    extracted text the same on every one of the 462. The lead is looked for in the stripped tree
    (it skips these parts anyway), and so are a split body's other parts: one in an aside or a
    footer is no longer joined. Nothing is stripped when no ``<p>`` would be left: trafilatura's
    recall mode undoes its deletions then (a page whose every paragraph sits in an ``<aside>``)."""
    if any(next(p.iterancestors(*_DELETED_ANYWAY), None) is None for p in tree.iter("p")):
        etree.strip_elements(tree, *_DELETED_ANYWAY, with_tail=False)


def _remove_selectors(tree: lxml_html.HtmlElement, selectors: tuple[str, ...]) -> int:
    removed = 0
    for el in compile_selectors(selectors)(tree):
        parent = el.getparent()
        if parent is None:
            continue
        # keep the tail text: it belongs to the parent, not to the removed element
        if el.tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
        removed += 1
    return removed


def split_paragraphs(text: str) -> list[str]:
    """trafilatura's txt output has one block per line: one paragraph each, trimmed, empty dropped."""
    # the whole text at once: neither pattern matches a newline
    spaced = _SPACE_RUN.sub(" ", _ODD_SPACE.sub(" ", unicodedata.normalize("NFC", text)))
    return [para for line in spaced.split("\n") if (para := line.strip())]


_DATE_CLASS = re.compile(
    r"date|time|publish|posted|dateline|timestamp|byline|fecha|datum|meta", re.IGNORECASE
)
_HAS_DIGIT = re.compile(r"\d")


def visible_dates(tree: lxml_html.HtmlElement, limit: int = 4) -> list[DateCandidate]:
    """The first ``<time datetime>`` elements and short date-classed elements, in page order.

    Only the first few count: later ones are mostly related teasers and comments.
    """
    out: list[DateCandidate] = []
    for el in tree.iter("time"):
        raw = (el.get("datetime") or "").strip()
        if raw and _HAS_DIGIT.search(raw):
            out.append(DateCandidate(raw, "text", "published", 0, "<time datetime>"))
            if len(out) >= 2:
                break
    found = 0
    for el in tree.iter("p", "span", "div", "time", "small", "li"):
        if not _DATE_CLASS.search(f"{el.get('class', '')} {el.get('id', '')}"):
            continue
        text = " ".join(el.text_content().split())
        if 6 <= len(text) <= 100 and _HAS_DIGIT.search(text):
            out.append(DateCandidate(text, "text", "published", 1, "visible date"))
            found += 1
            if found >= limit:
                break
    return out


def add_fallback_dates(
    tree: lxml_html.HtmlElement, url: str, meta: PageMetadata, fetched_at: datetime | None
) -> None:
    """Text and URL date candidates, for pages without a trusted structured publication date.

    htmldate is slow on large pages and adds nothing when JSON-LD or article:published_time is
    there, so it runs only without them (and here, because the clean stage frees the HTML).
    """
    from pipelines.core.dating import url_date  # dating imports metadata, not extraction

    strong = any(
        d.kind == "published"
        and ((d.source == "jsonld" and d.rank <= 1) or (d.source == "meta" and d.rank <= 1))
        for d in meta.dates
    )
    if not strong:
        try:
            found = htmldate.find_date(
                tree,
                original_date=True,
                extensive_search=True,
                url=url,
                outputformat="%Y-%m-%d",
                max_date=fetched_at.strftime("%Y-%m-%d") if fetched_at else None,
            )
        except Exception as exc:  # htmldate raises assorted errors on odd trees; a date is optional
            logger.debug("extract: htmldate failed on %(url)s: %(exc)s", {"url": url, "exc": exc})
            found = None
        if found:
            meta.dates.append(DateCandidate(found, "text", "published", 0, "htmldate"))
    if not strong:
        meta.dates.extend(visible_dates(tree))
    in_url = url_date(url)
    if in_url:
        meta.dates.append(DateCandidate(in_url, "url", "published", 0, "url"))


class ArticleExtractor:
    """The extraction core with its options built once; :meth:`extract` is called per page."""

    def __init__(self, options: ExtractOptions | None = None) -> None:
        self.options = options or ExtractOptions()
        self._fast = ConsumingPass(self.options.trafilatura_options())
        self._rescue = self.options.rescue_options()
        self._coverage = self.options.coverage_options()

    def extract(
        self,
        html: str | bytes | None,
        url: str,
        site: SiteConfig | None = None,
        fetched_at: datetime | None = None,
    ) -> Extraction:
        """Extract one page (``html``: its text, or the text as UTF-8 bytes, as the pool sends
        it); ``fetched_at`` bounds the htmldate fallback (no dates after the fetch)."""
        opts = self.options
        if html is None or not html.strip():
            raise EmptyExtractionError(f"page has no HTML: {url}")
        chars = _chars_above(html, opts.max_html_chars)
        if chars is not None:
            raise PageTooLargeError(
                f"page has {chars} chars of HTML, above the limit of {opts.max_html_chars} (max_html_chars): {url}"
            )
        try:
            tree = _parse(html)
        except (etree.ParserError, ValueError) as exc:
            raise EmptyExtractionError(f"HTML could not be parsed ({exc}): {url}") from exc
        selectors = site.boilerplate.selectors if site is not None else ()
        if selectors:
            _remove_selectors(tree, selectors)
        meta = read_metadata(tree)
        page = read_page_text(tree)
        # the dates' fallbacks read the page whole (htmldate looks at every part of it)
        add_fallback_dates(tree, url, meta, fetched_at)
        strip_deleted_anyway(tree)  # what is read below does not look into these parts
        passes = _Passes(
            self.options, self._fast, self._rescue, self._coverage, tree, html, selectors
        )
        paragraphs, pass_used = passes.cascade(page)
        # the lead is looked for in the tree as the last pass left it: a consumed tree lacks only
        # comment sections and infinite-scroll and share containers, where no lead is
        lead = visible_lead(passes.last_tree, meta.description, paragraphs) if paragraphs else None
        if lead is not None:
            paragraphs = [lead, *paragraphs]
        chars = sum(len(p) for p in paragraphs)
        if meta.is_listing_typed:
            # a listing's teaser list can look like text to trafilatura; the page says what it is
            raise NotAnArticleError(
                f"page declares itself {sorted(meta.types)}, not an article: {url}"
            )
        if not paragraphs:
            raise EmptyExtractionError(f"no body text found: {url}")
        if chars < opts.min_chars:
            raise BodyTooShortError(
                f"body has {chars} chars, below the minimum of {opts.min_chars} (min_chars): {url}"
            )
        return Extraction(
            paragraphs=paragraphs,
            title=meta.title,
            authors=list(meta.authors),
            canonical_url=normalise_url(meta.canonical_url, url) or normalise_url(url),
            language=detect_language(
                "\n".join(paragraphs),
                meta.language
                or (normalise_language(site.language) if site and site.language else None),
            ),
            metadata=meta,
            linked=linked_paragraphs(paragraphs, page),
            pass_used=pass_used,
        )


class _Passes:
    """trafilatura's passes over one page: the fast pass on the core's own tree, which it gives up
    (:mod:`pipelines.core.consuming_pass`: no copy), then the fallbacks its result calls for (see
    :class:`ExtractOptions`). trafilatura's own fallback passes get the tree built again as the
    fast pass found it (3% of the corpora's pages, none of the bench's)."""

    def __init__(
        self,
        options: ExtractOptions,
        fast: ConsumingPass,
        rescue: Extractor | None,
        coverage: Extractor | None,
        tree: lxml_html.HtmlElement,
        html: str | bytes,
        selectors: tuple[str, ...],
    ) -> None:
        self.options = options
        self._fast, self._rescue, self._coverage = fast, rescue, coverage
        self._tree = tree
        self._html = html
        self._selectors = selectors
        self._consumed = False

    @property
    def last_tree(self) -> lxml_html.HtmlElement:
        """The tree the last pass worked on (consumed by the fast pass if it was the last)."""
        return self._tree

    def tree(self) -> lxml_html.HtmlElement:
        """The page's tree as the fast pass found it (rebuilt once if that pass consumed it)."""
        if self._consumed:
            tree = _parse(self._html)
            if self._selectors:
                _remove_selectors(tree, self._selectors)
            strip_deleted_anyway(tree)
            self._tree, self._consumed = tree, False
        return self._tree

    def cascade(self, page: PageText) -> tuple[list[str], str]:
        opts = self.options
        text = self._fast(self._tree) or ""
        self._consumed = self._fast.consumes
        rescue, coverage = self._rescue, self._coverage
        if rescue is not None and len(text) < opts.rescue_below_chars:
            # trafilatura.extract copies the tree it is given: it stays intact for the lead
            rescued = trafilatura.extract(self.tree(), options=rescue)
            return split_paragraphs(rescued or text), "short" if rescued else "fast"
        paragraphs = split_paragraphs(text)
        if coverage is None:
            return paragraphs, "fast"
        found = len(text)
        if found < opts.split_body_below_share * page.paragraph_chars:
            # on the tree as the fast pass left it (~20% of bench pages come here: rebuilding it
            # costs a parse): its pruning took only comment sections and infinite-scroll and share
            # containers, which hold no part of this article's body
            joined = continue_split_body(self._tree, paragraphs)
            if joined is not None:
                paragraphs, found = joined, sum(len(p) + 1 for p in joined)
                if found >= opts.rescue_below_share * page.paragraph_chars:
                    return paragraphs, "split-body"
        outside_p = page.paragraph_chars < opts.outside_p_share * found
        if found < opts.rescue_below_share * page.paragraph_chars or outside_p:
            full = trafilatura.extract(self.tree(), options=coverage) or ""
            if len(full) >= opts.rescue_growth * found and not _is_page_dump(full):
                return split_paragraphs(full), "coverage"
        return paragraphs, "split-body" if found > len(text) else "fast"


def _is_page_dump(text: str, max_repeated: float = 0.1) -> bool:
    """trafilatura's last-resort baseline returns the whole page: its menus repeat lines."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return len(lines) > 10 and 1 - len(set(lines)) / len(lines) > max_repeated


def linked_paragraphs(paragraphs: list[str], page: PageText) -> frozenset[str]:
    """Paragraphs whose whole text (bullet or 'Label:' prefix aside) is a link to another page."""
    if not page.link_texts:
        return frozenset()
    found = set()
    for para in paragraphs:
        if len(para) > MAX_LINKED_CHARS:
            continue
        if link_key(para) in page.link_texts or (
            link_key(_LINK_PREFIX.sub("", para, count=1)) in page.link_texts
        ):
            found.add(para)
    return frozenset(found)


MAX_LINKED_CHARS = 300  # teasers are headlines; a longer paragraph is not checked
# a list bullet, or a short label before the link ("Read more: ", "LIVE | ")
_LINK_PREFIX = re.compile(r"^(?:[-•*\u2013]\s+|\d{1,2}[.)]\s+|[^:|]{2,30}[:|]\s+)")
