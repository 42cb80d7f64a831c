"""Sitemaps, sitemap indexes and Google News sitemaps, keeping the ``news:`` fields.

Scrapy's ``SitemapSpider`` keeps only ``loc``/``lastmod``/alternates; news sitemaps carry the
title, publication date and language that later stages want, so we parse them ourselves.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from typing import Literal

from crawler.discovery.xmlsafe import XMLDocumentError, child_text, local_name, parse_xml

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None
    news_title: str | None = None
    news_publication_date: str | None = None
    news_language: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    kind: Literal["urlset", "sitemapindex"]
    entries: list[SitemapEntry]


def sitemap_body(body: bytes) -> bytes:
    """The XML of a sitemap, gunzipped when it is gzip (by magic, not by name: a ``.xml.gz`` may
    already have been decompressed by HTTP content-encoding). Bounded against gzip bombs."""
    if body[:2] != b"\x1f\x8b":
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
            while chunk := gz.read(1024 * 1024):
                out.write(chunk)
                if out.tell() > MAX_UNZIPPED_BYTES:
                    raise XMLDocumentError(
                        f"gzip sitemap expands past {MAX_UNZIPPED_BYTES} bytes", "too_large"
                    )
    except (OSError, EOFError) as exc:
        raise XMLDocumentError(f"bad gzip data: {exc}", "bad_gzip") from exc
    return out.getvalue()


def parse_sitemap(body: bytes) -> Sitemap:
    root = parse_xml(sitemap_body(body))
    kind = local_name(root)
    if kind == "sitemapindex":
        entries = [
            SitemapEntry(url=loc, lastmod=child_text(el, "lastmod"))
            for el in root
            if local_name(el) == "sitemap" and (loc := child_text(el, "loc"))
        ]
        return Sitemap("sitemapindex", entries)
    if kind != "urlset":
        raise XMLDocumentError(
            f"root element <{kind}> is neither <urlset> nor <sitemapindex>", "wrong_root"
        )
    entries = []
    for el in root:
        if local_name(el) != "url":
            continue
        loc = child_text(el, "loc")
        if not loc:
            continue
        title = date = lang = None
        for child in el:
            if local_name(child) != "news":
                continue
            title = child_text(child, "title")
            date = child_text(child, "publication_date")
            for pub in child:
                if local_name(pub) == "publication":
                    lang = child_text(pub, "language")
        entries.append(
            SitemapEntry(
                url=loc,
                lastmod=child_text(el, "lastmod"),
                news_title=title,
                news_publication_date=date,
                news_language=lang,
            )
        )
    return Sitemap("urlset", entries)
