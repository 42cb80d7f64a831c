"""A hardened XML parser for feeds and sitemaps: no entities, no network, no huge trees."""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 50 * 1024 * 1024


class XMLDocumentError(ValueError):
    """The body is not a usable XML document (empty, too large, not XML).

    ``reason`` is a short, bounded name for the stats (``discovery/bad_<kind>_count/<reason>``):
    ``empty``, ``too_large``, ``entities``, ``not_xml``, ``no_root``, ``bad_gzip``, ``wrong_root``.
    """

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


def parse_xml(body: bytes) -> etree._Element:
    """Parse ``body`` without resolving entities (no billion-laughs, no XXE) and with recovery."""
    if not body or not body.strip():
        raise XMLDocumentError("empty document", "empty")
    if len(body) > MAX_XML_BYTES:
        raise XMLDocumentError(
            f"document has {len(body)} bytes, above the {MAX_XML_BYTES} limit", "too_large"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XMLDocumentError(f"not XML: {exc}", "not_xml") from exc
    if root is None:
        raise XMLDocumentError("no root element", "no_root")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.entities()):
        # Never expanded (resolve_entities=False), but no feed or sitemap needs entity
        # declarations: a document with them is an attack (billion laughs, XXE) or broken.
        raise XMLDocumentError(
            "document declares XML entities (entity bomb or XXE); refused", "entities"
        )
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
