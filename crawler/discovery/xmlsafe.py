"""A hardened XML parser for feeds and sitemaps: no entities, no network, no huge trees."""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 50 * 1024 * 1024


class XMLDocumentError(ValueError):
    """The body is not a usable XML document (empty, too large, not XML)."""


def parse_xml(body: bytes) -> etree._Element:
    """Parse ``body`` without resolving entities (no billion-laughs, no XXE) and with recovery."""
    if not body or not body.strip():
        raise XMLDocumentError("empty document")
    if len(body) > MAX_XML_BYTES:
        raise XMLDocumentError(f"document has {len(body)} bytes, above the {MAX_XML_BYTES} limit")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XMLDocumentError(f"not XML: {exc}") from exc
    if root is None:
        raise XMLDocumentError("no root element")
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first direct child whose local name is ``name`` (namespace ignored)."""
    for child in element:
        if local_name(child) == name:
            text = (child.text or "").strip()
            return text or None
    return None
