"""The Scrapy adapter: settings mapping, modes, stats and pending updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines.core.dedupe import MemoryIndex, open_index
from pipelines.errors import CopyFilteredOut
from pipelines.syndication import SyndicationPipeline
from tests.dedupe.conftest import HARBOUR, FakeSite, paragraphs

TEXT = paragraphs(HARBOUR)
SITES = {
    "coast-wire": FakeSite("coast-wire", "original", "Coast Wire"),
    "valley-radio": FakeSite("valley-radio", "syndicator", "Valley Radio"),
}


def item(url: str, site: str, text: str = TEXT, day: int = 1) -> ArticleItem:
    return ArticleItem(
        url=url,
        canonical_url=url,
        site=site,
        title="Pier closes",
        text=text,
        published_at=f"2026-03-0{day}T08:00:00+00:00",
    )


def make(mode: str = "annotate", **settings: object) -> SyndicationPipeline:
    crawler = get_crawler(settings_dict={"SYNDICRAWL_SYNDICATION_MODE": mode, **settings})
    pipe = SyndicationPipeline.from_crawler(crawler)
    pipe._sites, pipe._index = SITES, MemoryIndex()
    crawler.stats.open_spider()
    return pipe


def test_from_crawler_maps_settings(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={
            "SYNDICRAWL_SYNDICATION_WINDOW_DAYS": 3,
            "SYNDICRAWL_SYNDICATION_MIN_CONTAINMENT": 0.7,
            "SYNDICRAWL_SYNDICATION_CREDITED_MIN_SCORE": 0.4,
            "SYNDICRAWL_SYNDICATION_BACKEND": "sqlite",
            "SYNDICRAWL_STATE_DIR": str(tmp_path),
            "SYNDICRAWL_SYNDICATION_MODE": "separate",
        }
    )
    pipe = SyndicationPipeline.from_crawler(crawler)
    assert (
        pipe.options.window_days,
        pipe.options.min_containment,
        pipe.options.credited_min_score,
    ) == (3, 0.7, 0.4)
    assert pipe.mode == "separate" and pipe.backend == "sqlite"
    pipe._sites = SITES
    pipe.process_item(item("https://wire/a", "coast-wire"))
    pipe.close_spider()
    assert (tmp_path / "syndication.sqlite3").is_file()


def test_disabled_and_bad_mode() -> None:
    with pytest.raises(NotConfigured, match="SYNDICRAWL_SYNDICATION_ENABLED"):
        SyndicationPipeline.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_SYNDICATION_ENABLED": False})
        )
    with pytest.raises(
        ValueError,
        match="SYNDICRAWL_SYNDICATION_MODE: bad value 'copies-only': "
        "expected one of annotate, originals, separate",
    ):
        SyndicationPipeline.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_SYNDICATION_MODE": "copies-only"})
        )


def test_bad_backend_is_refused_before_anything_opens() -> None:
    with pytest.raises(
        ValueError,
        match="SYNDICRAWL_SYNDICATION_BACKEND: bad value 'mongo': "
        "expected one of sqlite, redis, memory",
    ):
        make(SYNDICRAWL_SYNDICATION_BACKEND="mongo")
    with pytest.raises(ValueError, match="backend='mongo': expected one of sqlite, redis, memory"):
        open_index("mongo")  # the core, without settings


def test_annotate_mode_links_and_counts() -> None:
    pipe = make()
    original = pipe.process_item(item("https://wire/a", "coast-wire"))
    copy = pipe.process_item(item("https://radio/a", "valley-radio", day=2))
    assert original.syndication.status == "unique"
    assert copy.syndication.status == "republication"
    assert copy.syndication.original_site == "coast-wire"
    stats = pipe.stats.get_stats()
    assert stats["syndicrawl/syndication/linked_count"] == 1
    assert stats["syndicrawl/site/valley-radio/syndication/linked_count"] == 1
    assert stats["syndicrawl/syndication/verified_count"] == 1
    [update] = pipe.drain_updates()
    assert update.url == "https://wire/a" and update.syndication.copies == ["https://radio/a"]
    assert pipe.drain_updates() == []


def test_originals_mode_drops_copies() -> None:
    pipe = make("originals")
    pipe.process_item(item("https://wire/a", "coast-wire"))
    with pytest.raises(
        CopyFilteredOut, match="https://wire/a dropped by SYNDICRAWL_SYNDICATION_MODE=originals"
    ):
        pipe.process_item(item("https://radio/a", "valley-radio", day=2))


def test_separate_mode_marks_copies_for_their_own_feed() -> None:
    pipe = make("separate")
    original = pipe.process_item(item("https://wire/a", "coast-wire"))
    copy = pipe.process_item(item("https://radio/a", "valley-radio", day=2))
    assert copy.hints["feed"] == "copies"
    assert "feed" not in original.hints
