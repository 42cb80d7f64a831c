"""Discovery hints: what a start point says about an article before it is fetched.

A feed entry or a sitemap entry becomes a dict of hints (title, language, lastmod, the publication
date as found and where) that travels with the article's request and item; later stages prefer
them to weaker evidence on the page (a news sitemap's ``news:publication_date`` over a date in the
visible text, for example). Empty values are left out by the ledger.
"""

from __future__ import annotations

from typing import Any

from crawler.discovery.feeds import FeedEntry
from crawler.discovery.sitemaps import SitemapEntry


def feed_hints(entry: FeedEntry) -> dict[str, Any]:
    hints: dict[str, Any] = {
        "title": entry.title,
        "language": entry.language,
        "lastmod": entry.updated_raw or entry.published_raw,
    }
    if entry.published_raw:
        hints.update(published_raw=entry.published_raw, published_source="feed")
    return hints


def sitemap_hints(entry: SitemapEntry) -> dict[str, Any]:
    hints: dict[str, Any] = {"lastmod": entry.lastmod or entry.news_publication_date}
    if entry.news_title:
        hints["title"] = entry.news_title
    if entry.news_language:
        hints["language"] = entry.news_language[:2].lower()
    if entry.news_publication_date:
        hints.update(published_raw=entry.news_publication_date, published_source="sitemap")
    return hints
