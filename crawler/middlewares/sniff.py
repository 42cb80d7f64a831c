"""What a response body really is, whatever its Content-Type says (pure: no Scrapy).

:func:`judge` decides whether a body is worth passing to the spider for the kind of page that was
asked for. Article and listing pages must be HTML; feeds and sitemaps must be XML, gzip or plain
text. Magic bytes beat the header (an ``.html`` that is a PNG is refused), and an HTML body under a
wrong or missing header is accepted and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
GZIP_TYPES = frozenset(
    {
        "application/gzip",
        "application/x-gzip",
        "application/x-gunzip",
        "application/gzipped",
        "application/gzip-compressed",
        "application/x-gzip-compressed",
        "gzip/document",
    }
)
TEXT_TYPES = frozenset({"text/plain"})  # sitemaps may be plain lists of URLs

# (prefix, type) checked in order; the first that matches names the body.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
SNIFF_BYTES = 1024  # how much of a body is looked at (WHATWG MIME sniffing reads 1445)
_XML_ROOT = re.compile(rb"<(?:rss|feed|urlset|sitemapindex|rdf:rdf)[\s>]")
# WHATWG MIME sniffing's "HTML" patterns: the body starts with one of these tags.
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|!--)[\s>]"
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|head|body)[\s>]")
# WHATWG's "binary data bytes": control bytes no text format uses (ESC is ISO-2022-JP's).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# A page with a few of them among its markup (a NUL in a script) is still a page; a binary file
# that happens to contain "<html" has them everywhere.
MAX_STRAY_BINARY_BYTES = 8


def media_type(content_type: str | bytes | None) -> str | None:
    """The lowercase ``type/subtype`` of a Content-Type value, or None if there is none."""
    if content_type is None:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence if "/" in essence else None


def sniff(body: bytes) -> str | None:
    """The type a body's first bytes prove, or None when they prove nothing.

    Binary formats come from magic numbers (RIFF/WEBP and ISO media too). Then, as in WHATWG MIME
    sniffing, markup is judged by its structure before any stray byte: a body that starts (after
    whitespace) with an HTML tag (or a comment) is ``text/html``, one with a feed/sitemap root or an
    XML prolog ``application/xml`` (an html root after the prolog: ``text/html``), whatever control
    bytes follow, such as a NUL in a script. A body without leading markup is ``text/html`` if it
    has html/head/body tags and at most :data:`MAX_STRAY_BINARY_BYTES` binary bytes, else
    ``application/octet-stream`` if it has any.
    """
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body[4:8] == b"ftyp":
        return "video/mp4"
    head = body[:SNIFF_BYTES]
    for bom in _BOMS:
        if head.startswith(bom):
            if bom != b"\xef\xbb\xbf":
                return None  # UTF-16 text: cannot be judged by ASCII patterns, and is not binary
            head = head[len(bom) :]
            break
    lowered = head.lstrip(b"\t\n\x0c\r ").lower()
    if lowered.startswith((b"<?xml", b"<!--")):
        # A prolog or a comment first: the root element that follows names the document.
        if _XML_ROOT.search(lowered):
            return "application/xml"
        if _HTML_ANYWHERE.search(lowered) or lowered.startswith(b"<!--"):
            return "text/html"
        return "application/xml"
    if _XML_ROOT.match(lowered):
        return "application/xml"
    if _HTML_START.match(lowered):
        return "text/html"
    # No markup first (text, a stray preamble): judged by what the head holds.
    stray = len(_BINARY_BYTES.findall(lowered))
    if _XML_ROOT.search(lowered) and not stray:
        return "application/xml"
    if _HTML_ANYWHERE.search(lowered) and stray <= MAX_STRAY_BINARY_BYTES:
        return "text/html"
    if stray:
        return "application/octet-stream"  # text formats do not contain these bytes
    return None


BINARY_TYPES = frozenset(kind for _, kind in _MAGIC) | {
    "image/webp",
    "video/mp4",
    "application/octet-stream",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether to keep a body, and what to count.

    ``outcome`` is None for a clean accept, else the stat outcome (``content_type_mismatch``,
    ``content_type_missing``, ``skipped_non_html``, ``skipped_non_xml``); ``detail`` is the type
    that was declared or found; ``body_type`` is what the body is taken to be when accepted.
    """

    accept: bool
    outcome: str | None = None
    detail: str | None = None
    body_type: str | None = None


def judge_html(declared: str | None, body: bytes) -> Verdict:
    """An article or listing page: HTML or XHTML only (an empty body is not a page)."""
    if not body.strip() and declared is not None:
        # An empty body under an HTML label is no page (without a label it is refused as unknown below).
        return Verdict(False, "skipped_non_html", "empty")
    found = sniff(body)
    if found in BINARY_TYPES:
        return Verdict(False, "skipped_non_html", found)
    if declared in HTML_TYPES:
        return Verdict(True, body_type="text/html")
    if found == "text/html":
        if declared is None:
            return Verdict(True, "content_type_missing", "text/html", "text/html")
        return Verdict(True, "content_type_mismatch", declared, "text/html")
    return Verdict(False, "skipped_non_html", declared or found or "unknown")


def judge_xml(declared: str | None, body: bytes) -> Verdict:
    """A feed or sitemap: XML, gzip (``.xml.gz``) or a plain-text URL list."""
    found = sniff(body)
    if found == "application/gzip":
        return Verdict(True, body_type=found)
    if found in BINARY_TYPES:
        return Verdict(False, "skipped_non_xml", found)
    if found == "text/html":
        return Verdict(
            False, "skipped_non_xml", "text/html"
        )  # a soft-404 or login page, not a feed
    if found == "application/xml":
        if declared in XML_TYPES:
            return Verdict(True, body_type=found)
        return Verdict(
            True,
            "content_type_mismatch" if declared else "content_type_missing",
            declared or found,
            found,
        )
    if declared in XML_TYPES or declared in TEXT_TYPES:
        return Verdict(True, body_type=declared)
    return Verdict(False, "skipped_non_xml", declared or "unknown")
