"""GcTuning: the crawl process's collector frozen and throttled while the spider runs, restored after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from pipelines.runtime.gc_tuning import GcTuning


@pytest.fixture
def gc_state() -> Iterator[None]:
    """Whatever a test does, the interpreter's collector is left as it was."""
    threshold = gc.get_threshold()
    callbacks = list(gc.callbacks)
    yield
    gc.set_threshold(*threshold)
    gc.callbacks[:] = callbacks
    gc.unfreeze()


def make(settings: dict[str, object]) -> tuple[GcTuning, Crawler]:
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return GcTuning.from_crawler(crawler), crawler


def fire(crawler: Crawler, signal: object) -> None:
    crawler.signals.send_catch_log(signal=signal)


@pytest.mark.usefixtures("gc_state")
def test_open_freezes_and_raises_the_threshold_then_close_restores_both() -> None:
    gc.set_threshold(700, 10, 10)
    extension, crawler = make({"SYNDICRAWL_GC_THRESHOLD": 40_000})
    fire(crawler, signals.spider_opened)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (40_000, 10, 10)
    fire(crawler, signals.engine_stopped)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)
    assert extension._on_gc not in gc.callbacks


@pytest.mark.usefixtures("gc_state")
def test_collections_and_their_cpu_are_counted_in_the_stats() -> None:
    extension, crawler = make({})
    fire(crawler, signals.spider_opened)
    before = extension.collections
    for _ in range(3):
        gc.collect()
    fire(crawler, signals.spider_closed)
    stats = crawler.stats
    assert stats is not None
    assert stats.get_value("syndicrawl/gc/collections_count") >= before + 3
    assert stats.get_value("syndicrawl/gc/cpu_seconds") >= 0.0
    fire(crawler, signals.engine_stopped)


@pytest.mark.usefixtures("gc_state")
def test_garbage_cycles_made_while_crawling_are_still_collected() -> None:
    _, crawler = make({})
    fire(crawler, signals.spider_opened)

    class Node:
        other: object

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2  # the frozen start-up objects are skipped, new cycles are not
    fire(crawler, signals.engine_stopped)


@pytest.mark.usefixtures("gc_state")
def test_freeze_only_keeps_pythons_threshold() -> None:
    gc.set_threshold(700, 10, 10)
    _, crawler = make({"SYNDICRAWL_GC_THRESHOLD": 0})
    fire(crawler, signals.spider_opened)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 0
    fire(crawler, signals.engine_stopped)


def test_off_and_bad_settings() -> None:
    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_GC_FREEZE": False, "SYNDICRAWL_GC_THRESHOLD": 0})
        )
    with pytest.raises(
        ValueError, match="SYNDICRAWL_GC_THRESHOLD: bad value -1: expected an integer >= 0"
    ):
        GcTuning.from_crawler(get_crawler(settings_dict={"SYNDICRAWL_GC_THRESHOLD": -1}))


def test_the_project_enables_it() -> None:
    import crawler.settings as project

    assert "pipelines.runtime.gc_tuning.GcTuning" in project.EXTENSIONS
