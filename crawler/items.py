"""The exported record: one typed item per article.

The JSON Schema of an exported record is ``crawler/schemas/article.v1.json``; a test checks that the
schema's properties equal the exported fields below. Adding an optional field bumps the minor part of
``SCHEMA_VERSION`` (same file); renaming, removing or retyping one means a new ``article.v2.json``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

SCHEMA_VERSION = "1.0"
SCHEMA_RESOURCE = "schemas/article.v1.json"

SyndicationStatus = Literal["original", "republication", "unique"]
DateSource = Literal["jsonld", "meta", "sitemap", "feed", "text", "url", "http"]

INTERNAL = {"export": False}


@dataclass(kw_only=True, slots=True)
class Syndication:
    """How this article relates to other copies of the same story."""

    status: SyndicationStatus = "unique"
    """``original``: other copies of it were found; ``republication``: a copy of ``original_url``;
    ``unique``: no copy and no original found (yet)."""
    original_url: str | None = None
    """Canonical URL of the original article, for a republication."""
    original_site: str | None = None
    """Registry name of the original's site, for a republication."""
    cluster_id: str | None = None
    """Stable id shared by every copy of one story (``c-`` + 16 hex chars); None for unique articles."""
    similarity: float | None = None
    """Verification score of the link to the original, 0..1."""
    evidence: list[str] = field(default_factory=list)
    """Why this link was made, e.g. ``role:original``, ``canonical-elsewhere``, ``credit:Meridian Wire``,
    ``earlier-publication``, ``containment:0.97``."""
    copies: list[str] = field(default_factory=list)
    """For an original: canonical URLs of the copies known when the record was written."""


@dataclass(kw_only=True, slots=True)
class ArticleItem:
    """One clean article. ``url`` is the only required field; None means unknown."""

    schema_version: str = SCHEMA_VERSION
    """Version of ``crawler/schemas/article.v<major>.json`` this record follows."""
    url: str
    """The URL the article was fetched from, normalised (no tracking parameters or fragment)."""
    run_id: str | None = None
    """Id of the crawl run that produced the record (``YYYYMMDDTHHMMSSZ-xxxxxx``)."""
    canonical_url: str | None = None
    """``rel=canonical`` / ``og:url`` of the page, normalised; else ``url``."""
    site: str | None = None
    """Registry name of the site the page was fetched from."""
    title: str | None = None
    """Headline, without the site-name suffix."""
    authors: list[str] = field(default_factory=list)
    """Author names, in page order, deduplicated."""
    published_at: str | None = None
    """First publication, UTC ISO 8601 with offset (``2026-11-27T08:30:00+00:00``)."""
    published_at_raw: str | None = None
    """The date string as found on the page or in the feed, before parsing."""
    published_at_source: DateSource | None = None
    """Where ``published_at`` came from."""
    updated_at: str | None = None
    """Last modification, UTC ISO 8601, when the page says so."""
    updated_at_source: DateSource | None = None
    """Where ``updated_at`` came from."""
    language: str | None = None
    """ISO 639-1 code of the body text."""
    text: str | None = None
    """Body text, paragraphs separated by a blank line, without boilerplate, promos or credit lines."""
    credited_source: str | None = None
    """Normalised publisher name that the page credits (``Source: X``, ``(Reuters) -``)."""
    credit_line: str | None = None
    """The credit line as it appeared on the page."""
    syndication: Syndication = field(default_factory=Syndication)
    """Republication links; see :class:`Syndication`."""
    fetched_at: str | None = None
    """When the page was fetched, UTC ISO 8601."""
    content_sha256: str | None = None
    """SHA-256 hex of ``text`` (UTF-8)."""

    # Internal: carried between stages, never exported.
    # not in repr: Scrapy logs a dropped item's repr, and a whole page per drop floods the log
    html: str | None = field(default=None, repr=False, metadata=INTERNAL)
    """Decoded HTML of the page, for the extraction stage."""
    html_utf8: bytes | None = field(default=None, repr=False, metadata=INTERNAL)
    """``html`` in UTF-8 when the response body is exactly that (the pool sends UTF-8), else None."""
    hints: dict[str, Any] = field(default_factory=dict, metadata=INTERNAL)
    """Discovery hints (feed/sitemap title, dates, language, lastmod, ETag) for later stages."""
    stripped: list[str] = field(default_factory=list, metadata=INTERNAL)
    """Reasons of the boilerplate removed by the clean stage, e.g. ``learned``, ``credit``, ``rule``."""


def exported_field_names() -> list[str]:
    """Names of the fields that go into an exported record, in declaration order."""
    return list(_EXPORTED)


_EXPORTED = tuple(f.name for f in dataclasses.fields(ArticleItem) if f.metadata.get("export", True))


_SYNDICATION_FIELDS = tuple(f.name for f in dataclasses.fields(Syndication))


def to_record(item: ArticleItem) -> dict[str, Any]:
    """The exported JSON-ready dict of ``item`` (internal fields left out)."""
    record: dict[str, Any] = {}
    for name in _EXPORTED:
        value = getattr(item, name)
        if isinstance(value, Syndication):
            # what dataclasses.asdict gives (lists copied), without its generic recursion: ~4x cheaper
            value = {
                f: list(v) if isinstance(v := getattr(value, f), list) else v
                for f in _SYNDICATION_FIELDS
            }
        record[name] = value
    return record


def load_schema() -> dict[str, Any]:
    """The JSON Schema of exported records, from the package data."""
    text = resources.files("crawler").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
