"""Per-stage CPU of the crawl process: the wrappers time the stages' own steps, not their waits."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from syndicrawl_tools.benchmarks import timing
from syndicrawl_tools.benchmarks.timing import timed_pipelines


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


def test_steady_rate_leaves_out_the_start_and_the_drain():
    # 2 s of start-up with one item, then 100 items a second for 1 s, then one straggler
    times = [0.0] + [2.0 + i / 100 for i in range(100)] + [9.0]
    assert timing.steady_rate(times) == pytest.approx(100, rel=0.03)
    assert timing.steady_rate(times[:10]) is None  # too few to say
    assert timing.steady_rate([1.0] * 30) is None  # no time passed


def test_item_clock_sets_the_steady_rate_stat():
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    clock = timing.ItemClock.from_crawler(crawler)
    clock.times = [i / 50 for i in range(40)]
    clock.spider_closed()
    assert crawler.stats.get_value(timing.STEADY_RATE_STAT) == pytest.approx(50)


def test_thread_cpu_is_summed_by_name_without_numbers():
    import threading
    import time

    done = threading.Event()

    def spin():
        started = time.thread_time()
        while time.thread_time() - started < 0.2:
            pass
        done.wait(5)

    threads = [threading.Thread(target=spin, name=f"Spinner-{k}") for k in (1, 2)]
    for t in threads:
        t.start()
    time.sleep(0.6)
    try:
        by_name = timing.thread_cpu_seconds()
    finally:
        done.set()
        for t in threads:
            t.join()
    assert by_name["Spinner"] >= 0.3  # both threads, 0.2 s each (clock ticks: 0.01 s)
    assert "MainThread" in by_name and not any(c.isdigit() for c in "".join(by_name))


def test_process_cpu_seconds_reads_another_process():
    import subprocess
    import sys
    import time

    spinner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\ntime.sleep(30)",
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while timing.process_cpu_seconds(spinner.pid) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 0.25 <= timing.process_cpu_seconds(spinner.pid) < 5
    finally:
        spinner.kill()
        spinner.wait()
    assert timing.process_cpu_seconds(spinner.pid) == 0.0  # gone: no such process


def burn(state, seconds: float) -> float:
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return seconds


def test_pss_is_read_and_never_above_rss():
    pss, rss = timing.pss_kb(os.getpid()), timing.proc_status_kb(os.getpid(), "VmRSS")
    assert 0 < pss <= rss
    assert timing.pss_kb(2**22 + 7) == 0  # no such process


def test_the_forkserver_cpu_counts_the_pool_workers_it_forked():
    from pipelines.runtime.pool import StagePool, WorkerConfig

    before = timing.forkserver_cpu_seconds()
    pool = StagePool(1, config=WorkerConfig())
    try:
        asyncio.run(pool.run(burn, 0.5))
    finally:
        pool.close()
    # the worker is the forkserver's child, not ours: its 0.5 s is in the forkserver's cutime
    assert timing.forkserver_cpu_seconds() - before >= 0.5
