"""Parse a page's HTML once, into the lxml.html tree every stage and trafilatura read.

lxml.html's own parser gives each element its Python class through a Python callback
(``HtmlElementClassLookup``: the form, input, label... classes of lxml.html's forms API), called
each time an element gets a Python object: about 1,700 calls on a 115 KB page, across our reads
and trafilatura's, every copy of the tree included. This parser gives every element lxml.html's
``HtmlElement`` through lxml's C-level default lookup: the same methods (``text_content``,
``drop_tree``...), no callback. Measured on the extraction core: the bench's pages 7.5 to 6.7 ms,
the shared corpora's 462 pages 15.7 to 13.4 ms, every extracted field the same on every page.
Its options are trafilatura's (``trafilatura.utils.HTML_PARSER``).
"""

from __future__ import annotations

import re
import threading

from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import DOCTYPE_TAG, is_dubious_html, repair_faulty_html

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_ENCODING_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

# trafilatura's INVALID_XML_CHARS below U+0080: in UTF-8 these bytes stand only for themselves
_INVALID_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))

_local = threading.local()  # an lxml parser is not to be shared between threads


def _parser() -> lxml_html.HTMLParser:
    parser: lxml_html.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml_html.HTMLParser(
            collect_ids=False,
            default_doctype=False,
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
        )
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml_html.HtmlElement,
                comment=lxml_html.HtmlComment,
                pi=lxml_html.HtmlProcessingInstruction,
                entity=lxml_html.HtmlEntity,
            )
        )
        _local.parser = parser
    return parser


def _from_string(html: str) -> lxml_html.HtmlElement | None:
    """The tree of ``html``, from the str or else its UTF-8 bytes (as trafilatura's ``load_html``)."""
    parser = _parser()
    tree = None
    try:
        tree = lxml_html.fromstring(html, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        pass
    except etree.ParserError:
        return None
    if tree is None or len(tree) < 1:
        try:
            tree = lxml_html.fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
        except (ValueError, etree.ParserError):
            return None
    return tree


def _has_invalid_xml_chars(raw: bytes) -> bool:
    """Whether the UTF-8 ``raw`` holds a character of trafilatura's ``INVALID_XML_CHARS``: a
    C-level pass over the bytes (0.07-0.25 ms a page with the str's encoding, against 0.34-0.45
    for the regex's)."""
    if b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw:  # U+FFFE, U+FFFF
        return True
    return len(raw.translate(None, _INVALID_BYTES)) != len(raw)


def _mends_head(head: str, beginning: str) -> bool:
    """Whether trafilatura's ``repair_faulty_html`` mends the start of the page (``head``: its
    first 4,096 characters): a doctype libxml2 misreads, or a self-closed ``<html/>``."""
    if "doctype" in beginning and DOCTYPE_TAG.match(head):
        return True
    return any("<html" in line and line.endswith("/>") for line in head.splitlines()[:4])


def _needs_repair(html: str, beginning: str) -> bool:
    """Whether trafilatura's ``repair_faulty_html`` would change the tree of ``html``. It runs a
    regex over the whole page for control characters; most pages have none, nor a doctype or a
    self-closed ``<html/>`` it mends, and then need none of its work."""
    return _has_invalid_xml_chars(html.encode("utf-8", "surrogatepass")) or _mends_head(
        html[:4096], beginning
    )


def _load_utf8(raw: bytes) -> lxml_html.HtmlElement | None:
    """The tree of a page given as UTF-8 bytes, read by lxml as they are: no str is made (the
    pool sends pages so; a str costs a decode and lxml's own conversion back). None when the page
    needs any of the str path's repairs or fallbacks."""
    head = raw[:16384].decode("utf-8", "ignore")[:4096]  # 4,096 characters: 16 KB at most
    beginning = head[:50].lower()
    if _has_invalid_xml_chars(raw) or _mends_head(head, beginning):
        return None
    try:
        tree = lxml_html.fromstring(raw, parser=_parser())
    except (ValueError, etree.ParserError):
        return None
    if tree is None or len(tree) < 1 or (is_dubious_html(beginning) and len(tree) < 2):
        return None
    return tree


def _load(html: str) -> lxml_html.HtmlElement | None:
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    if _needs_repair(html, beginning):
        html = repair_faulty_html(html, beginning)
    tree = _from_string(html)
    if tree is not None and dubious and len(tree) < 2:
        return None  # not (well-formed) HTML: a single block of text, or another format
    return tree


def parse_html(html: str | bytes) -> lxml_html.HtmlElement | None:
    """The document's tree (``html``: text, or UTF-8 bytes); None only when lxml can make none
    of it."""
    if isinstance(html, bytes):
        found = _load_utf8(html)
        if found is not None:
            return found
        html = html.decode("utf-8", "replace")
    tree = _load(html)
    if tree is None:
        # control characters or an XML encoding declaration can defeat lxml on a str; the spider
        # already decoded the page, so they carry no information
        cleaned = _CONTROL.sub("", _ENCODING_DECL.sub("", html, count=1))
        tree = _load(cleaned)
        if tree is None or len(tree) < 1:
            tree = _load(f"<html><body>{cleaned}</body></html>")
    return tree
