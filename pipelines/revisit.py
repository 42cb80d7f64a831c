"""Revisit filter [250]: an article fetched again because its lastmod changed, whose clean text is
the same as last time, is not exported again (drop ``UnchangedArticle``).

Runs after clean (which sets ``content_sha256``); the spider puts the stored hash in
``item.hints["previous_sha256"]`` when it refetches a changed URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.items import ArticleItem
from pipelines.errors import UnchangedArticle
from pipelines.stats import count

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class RevisitPipeline:
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        previous = item.hints.get("previous_sha256")
        if previous is None:
            return item
        stats = self.crawler.stats if self.crawler else None
        if previous == item.content_sha256:
            count(stats, "revisit", "unchanged", site=item.site)
            raise UnchangedArticle(
                f"text unchanged since the last export (sha256 {previous[:12]}): {item.url}"
            )
        count(stats, "revisit", "updated", site=item.site)
        return item
