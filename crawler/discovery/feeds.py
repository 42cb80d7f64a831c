"""RSS 2.0 and Atom feeds -> article links with title, dates and language."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.discovery.xmlsafe import XMLDocumentError, child_text, local_name, parse_xml


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str | None = None
    published_raw: str | None = None
    updated_raw: str | None = None
    language: str | None = None


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom feed. Raises :class:`XMLDocumentError`."""
    root = parse_xml(body)
    kind = local_name(root)
    if kind == "feed":
        return _atom(root)
    if kind in ("rss", "rdf"):
        return _rss(root)
    raise XMLDocumentError(f"root element <{kind}> is neither RSS nor Atom", "wrong_root")


def _rss(root) -> list[FeedEntry]:  # type: ignore[no-untyped-def]
    language = None
    entries: list[FeedEntry] = []
    for el in root.iter():
        name = local_name(el)
        if name == "channel":
            language = child_text(el, "language")
        elif name == "item":
            link = child_text(el, "link") or _guid_link(el)
            if not link:
                continue
            entries.append(
                FeedEntry(
                    url=link,
                    title=child_text(el, "title"),
                    published_raw=child_text(el, "pubdate") or child_text(el, "date"),
                    updated_raw=child_text(el, "updated") or child_text(el, "modified"),
                    language=(language or "")[:2].lower() or None,
                )
            )
    return entries


def _guid_link(item) -> str | None:  # type: ignore[no-untyped-def]
    for child in item:
        if local_name(child) == "guid" and child.get("isPermaLink", "true") != "false":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def _atom(root) -> list[FeedEntry]:  # type: ignore[no-untyped-def]
    feed_lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    entries: list[FeedEntry] = []
    for el in root:
        if local_name(el) != "entry":
            continue
        link = None
        for child in el:
            if local_name(child) == "link" and child.get("rel", "alternate") == "alternate":
                link = child.get("href")
                break
        if not link:
            continue
        lang = el.get("{http://www.w3.org/XML/1998/namespace}lang") or feed_lang
        entries.append(
            FeedEntry(
                url=link.strip(),
                title=child_text(el, "title"),
                published_raw=child_text(el, "published") or child_text(el, "issued"),
                updated_raw=child_text(el, "updated"),
                language=(lang or "")[:2].lower() or None,
            )
        )
    return entries
