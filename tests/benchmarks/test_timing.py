"""Per-stage CPU of the crawl process: the wrappers time the stages' own steps, not their waits."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.benchmarks import timing
from crawler.benchmarks.timing import timed_pipelines


class SyncStage:
    opened = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def open_spider(self):
        self.opened = True

    def process_item(self, item):
        if item.get("drop"):
            raise DropItem("dropped on purpose")
        item["sync"] = sum(range(20_000))
        return item


class AsyncStage:
    async def process_item(self, item):
        item["before"] = sum(range(20_000))
        await asyncio.sleep(0.2)  # a wait: not CPU, must not be counted as such
        item["after"] = True
        return item


def wrap(path):
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    (cls,) = timed_pipelines({path: 100})
    return cls.from_crawler(crawler), crawler


def test_sync_stage_is_timed_and_delegates(monkeypatch):
    monkeypatch.setitem(timing.STAGES, f"{__name__}.SyncStage", "extract")
    stage, crawler = wrap(f"{__name__}.SyncStage")
    assert hasattr(stage, "open_spider") and not hasattr(stage, "close_spider")
    stage.open_spider()
    assert stage.inner.opened
    assert stage.process_item({})["sync"] > 0
    assert crawler.stats.get_value("syndicrawl/extract/main_cpu_seconds") > 0
    with pytest.raises(DropItem):
        stage.process_item({"drop": True})


def test_async_stage_counts_its_steps_not_its_waits():
    stage, crawler = wrap(f"{__name__}.AsyncStage")
    out = asyncio.run(stage.process_item({}))
    assert out["after"] is True
    cpu = crawler.stats.get_value("syndicrawl/asyncstage/main_cpu_seconds")
    assert 0 < cpu < 0.15
