"""CPU seconds per pipeline stage, measured in the crawl process, for the benchmark (and the
bench's /proc readings: :func:`proc_status_kb`).

:func:`timed_pipelines` turns ``ITEM_PIPELINES`` into wrapper classes (same priorities) whose
``process_item`` adds the crawl process's CPU spent inside the stage to the stat
``syndicrawl/<stage>/main_cpu_seconds``. For a stage that awaits (the clean stage's hold, a pool
task) only the steps it runs are timed (CPU of the reactor thread), not the waits: the coroutine is driven step by step.
CPU spent in pool workers is counted by the stages themselves (``syndicrawl/<stage>/worker_cpu_seconds``).

:class:`ItemClock` (an extension) records when each item is scraped and sets the crawl's steady
rate: items per second between the 10th and the 90th percentile of those times, i.e. without the
start (worker spawn, robots.txt and sitemaps before the first article) and the drain at the end.
"""

from __future__ import annotations

import inspect
import os
import re
import threading
import time
from collections.abc import Generator
from typing import Any

from scrapy import signals
from scrapy.utils.misc import load_object

from pipelines.stats import count

STAGES = {
    "pipelines.extract.ExtractPipeline": "extract",
    "pipelines.clean.CleanPipeline": "clean",
    "pipelines.revisit.RevisitPipeline": "revisit",
    "pipelines.dates.DatesPipeline": "dates",
    "pipelines.syndication.SyndicationPipeline": "syndication",
    "pipelines.export.ExportPipeline": "export",
}


class _Timed:
    """Drives an awaitable, adding the CPU of each step it runs (not the time it waits)."""

    def __init__(self, awaitable: Any, add: Any) -> None:
        self.awaitable = awaitable
        self.add = add

    def __await__(self) -> Generator[Any, Any, Any]:
        inner = self.awaitable.__await__()
        send: Any = None
        error: BaseException | None = None
        while True:
            started = time.thread_time()
            try:
                yielded = inner.throw(error) if error is not None else inner.send(send)
            except StopIteration as stop:
                self.add(time.thread_time() - started)
                return stop.value
            except BaseException:
                self.add(time.thread_time() - started)
                raise
            self.add(time.thread_time() - started)
            try:
                send, error = (yield yielded), None
            except BaseException as exc:  # passed on to the stage
                send, error = None, exc


class TimedPipeline:
    """Base of the wrappers; ``inner_path`` and ``stage`` are set per generated subclass."""

    inner_path = ""
    stage = ""

    def __init__(self, inner: Any, crawler: Any) -> None:
        self.inner = inner
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> TimedPipeline:
        inner_cls = load_object(cls.inner_path)
        inner = (
            inner_cls.from_crawler(crawler) if hasattr(inner_cls, "from_crawler") else inner_cls()
        )
        return cls(inner, crawler)

    def __getattr__(self, name: str) -> Any:  # open_spider, close_spider, ...
        if name in ("inner", "stats"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _add(self, seconds: float) -> None:
        count(self.stats, self.stage, "main_cpu_seconds", value=seconds)

    def process_item(self, item: Any) -> Any:
        started = time.thread_time()
        try:
            result = self.inner.process_item(item)
        finally:
            self._add(time.thread_time() - started)
        if inspect.isawaitable(result):
            return self._await(result)
        return result

    async def _await(self, awaitable: Any) -> Any:
        return await _Timed(awaitable, self._add)


def timed_pipelines(pipelines: dict[str, int]) -> dict[type, int]:
    """``ITEM_PIPELINES`` with each stage wrapped (class objects as keys: Scrapy accepts them)."""
    out: dict[type, int] = {}
    for path, priority in pipelines.items():
        stage = STAGES.get(path) or path.rsplit(".", 1)[-1].lower()
        cls = type(
            f"Timed{path.rsplit('.', 1)[-1]}",
            (TimedPipeline,),
            {"inner_path": path, "stage": stage},
        )
        out[cls] = priority
    return out


STEADY_RATE_STAT = "syndicrawl/bench/steady_items_per_second"
THREAD_CPU_STAT = "syndicrawl/bench/thread_cpu_seconds"


class ItemClock:
    """Sets :data:`STEADY_RATE_STAT` when the spider closes (see the module docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.times: list[float] = []
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ItemClock:
        return cls(crawler)

    def item_scraped(self) -> None:
        self.times.append(time.perf_counter())

    def spider_closed(self) -> None:
        rate = steady_rate(self.times)
        if rate is not None:
            self.stats.set_value(STEADY_RATE_STAT, rate)
        for name, seconds in thread_cpu_seconds().items():
            self.stats.set_value(f"{THREAD_CPU_STAT}/{name}", seconds)


def steady_rate(times: list[float], low: float = 0.1, high: float = 0.9) -> float | None:
    """Events per second between the ``low`` and ``high`` quantiles of ``times`` (None: too few)."""
    if len(times) < 20:
        return None
    ordered = sorted(times)
    first, last = int(low * (len(ordered) - 1)), int(high * (len(ordered) - 1))
    span = ordered[last] - ordered[first]
    return (last - first) / span if span > 0 else None


_NUMBERED = re.compile(r"[-_]?\d+")


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds of this process's live threads, summed by name without numbers (Linux /proc).

    Where the crawl process's CPU goes outside the stages: the reactor (``MainThread``, which also
    drives the pool's pipes), Twisted's thread pool (part compression and upload).
    """
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            with open(f"/proc/self/task/{thread.native_id}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        name = _NUMBERED.sub("", thread.name).strip() or "thread"
        seconds = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        out[name] = round(out.get(name, 0.0) + seconds, 3)
    return out


def proc_status_kb(pid: int | str, field: str) -> int:
    """A kB field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``; pid may be "self"); 0 if absent."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid: int | str) -> int:
    """Proportional set size of ``pid`` in kB (pages shared by N processes count 1/N in each: the
    pool's workers share the forkserver's warmed-up libraries); its RSS where the kernel has no
    ``smaps_rollup``; 0 for a process that is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return proc_status_kb(pid, "VmRSS")


def children_of(pid: int) -> list[int]:
    """The direct children of ``pid``, zombies included (Linux /proc)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except OSError:
        pass
    return out


def forkserver_cpu_seconds(wait: float = 5.0) -> float:
    """CPU seconds of this process's multiprocessing forkserver, its own and its reaped children's:
    the pool's workers are its children, not this process's, so ``RUSAGE_CHILDREN`` misses them.
    Waits up to ``wait`` seconds for it to reap the workers that are exiting; 0.0 without one."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if not pid:
        return 0.0
    deadline = time.monotonic() + wait
    while children_of(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()  # the name may hold spaces
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
