"""Articles and helpers shared by the export tests (the text is our own invention)."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem, Syndication, to_record
from pipelines.export import ExportPipeline

TOPICS = [
    "Harbour council approves a new ferry timetable",
    "Mountain railway reopens after the spring thaw",
    "Café owners in Sankt Gallen test a reusable cup deposit",
    "Library extends opening hours during exam season",
    "Wind farm cooperative reports a record quarter",
]


def make_item(
    n: int,
    *,
    site: str | None = "meridian-wire",
    published_at: str | None = "2026-11-27T08:30:00+00:00",
    fetched_at: str | None = "2026-11-28T10:00:00+00:00",
    text: str | None = None,
) -> ArticleItem:
    title = f"{TOPICS[n % len(TOPICS)]} ({n})"
    return ArticleItem(
        url=f"https://{site or 'nowhere'}.example/news/{n}.html",
        canonical_url=f"https://{site or 'nowhere'}.example/news/{n}.html",
        site=site,
        title=title,
        authors=["Ana Müller", "Kofi Mensah"][: 1 + n % 2],
        published_at=published_at,
        published_at_source="jsonld" if published_at else None,
        language="en",
        text=text
        or f"{title}.\n\nThe plan was agreed on Tuesday evening — a “small” change, said locals.",
        syndication=Syndication(status="unique"),
        fetched_at=fetched_at,
    )


def expected_record(item: ArticleItem, run_id: str) -> dict[str, Any]:
    record = to_record(item)
    record["run_id"] = record["run_id"] or run_id
    return record


def decode_part(data: bytes, key: str) -> list[dict[str, Any]]:
    body = gzip.decompress(data) if key.endswith(".gz") else data
    return [json.loads(line) for line in body.decode("utf-8").splitlines()]


def build_pipeline(settings: dict[str, Any]) -> tuple[ExportPipeline, Any]:
    crawler = get_crawler(settings_dict=settings)
    pipeline = build_from_crawler(ExportPipeline, crawler)
    return pipeline, crawler


def run_export(
    settings: dict[str, Any], items: list[ArticleItem]
) -> tuple[ExportPipeline, dict[str, Any]]:
    """Open, feed ``items`` and close an ExportPipeline; returns it and the crawler's stats."""
    pipeline, crawler = build_pipeline(settings)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item)
    asyncio.run(pipeline.close_spider())
    return pipeline, crawler.stats.get_stats()
