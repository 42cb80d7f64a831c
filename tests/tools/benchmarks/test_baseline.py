"""The in-crawl yardstick's CPU, taken out of the crawl's."""

from __future__ import annotations

from syndicrawl_tools.benchmarks.baseline import (
    BARE_CPU_STAT,
    BARE_DUMPS_CPU_STAT,
    BARE_LOADS_CPU_STAT,
    BaselineSampler,
    yardstick_cpu,
)


class _Stats(dict):
    def inc_value(self, key: str, value: float) -> None:
        self[key] = self.get(key, 0) + value


class _Crawler:
    def __init__(self) -> None:
        self.stats = _Stats()
        self.settings = None


def test_in_process_only_the_bare_tasks_are_the_yardsticks():
    stats = {BARE_CPU_STAT: 2.0, BARE_DUMPS_CPU_STAT: 0.3, BARE_LOADS_CPU_STAT: 0.2}
    assert yardstick_cpu(stats, pooled=False) == (2.0, 0.0)


def test_with_a_pool_the_pages_second_way_is_the_yardsticks_too():
    stats = {BARE_CPU_STAT: 2.0, BARE_DUMPS_CPU_STAT: 0.3, BARE_LOADS_CPU_STAT: 0.2}
    here, workers = yardstick_cpu(stats, pooled=True)
    # here: the sampler's own dumps and loads, and the pool's dumps; in the worker: its loads
    assert round(here, 9) == round(2 * 0.3 + 0.2, 9)
    assert round(workers, 9) == round(2.0 + 0.2, 9)
    assert yardstick_cpu({}, pooled=True) == (0.0, 0.0)


def test_the_sampler_times_the_transfer_of_the_same_task():
    crawler = _Crawler()
    page = "<html><body><p>" + "Trams run late on the hill line. " * 4000 + "</p></body></html>"
    BaselineSampler(crawler, every=1)._time_transfer(page)
    dumps, loads = crawler.stats[BARE_DUMPS_CPU_STAT], crawler.stats[BARE_LOADS_CPU_STAT]
    assert dumps > 0 and loads > 0
