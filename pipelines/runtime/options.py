"""Settings of the process pool and of the crawl process's garbage collection (declarations only:
light to import, unlike :mod:`pipelines.runtime.pool`; see :mod:`crawler.config`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from crawler.config import Options, setting


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_processes(cores: int) -> int:
    """One worker per core, and none on a single core.

    Measured with ``syndicrawl bench`` (stop 25, docs/performance.md): on 2 cores, 3,000 articles,
    the crawl process alone 22.9 articles/s, 1 worker 29.9, 2 workers 41.7. On 1 core
    (``taskset -c 0``, 1,500 articles) 1 worker gives 22.3-23.1 against 24.7 in the crawl process:
    a worker competes with the crawl process for the one core and adds the pages' way between
    processes (CPU 40.4-41.8 ms per article against 38.7).
    """
    return cores if cores >= 2 else 0


@dataclass(frozen=True, kw_only=True)
class PoolOptions(Options):
    """``pipelines.runtime.pool.StagePool``."""

    processes: int = setting(
        "SYNDICRAWL_POOL_PROCESSES",
        default_processes(available_cores()),
        "worker processes running extraction and date parsing off the reactor; `0`: in the "
        "crawl process",
        low=0,
        shown="the machine's cores; `0` on one core",
    )
    max_pending: int = setting(
        "SYNDICRAWL_POOL_MAX_PENDING",
        0,
        "pages submitted to the pool and not yet done, at most (back-pressure)",
        low=0,
        shown="`0` (4 per process)",
    )
    reset_every: int = setting(
        "SYNDICRAWL_POOL_RESET_EVERY",
        1000,
        "pages after which a worker clears trafilatura's caches; `0`: never",
        low=0,
    )
    max_failed_starts: int = setting(
        "SYNDICRAWL_POOL_MAX_FAILED_STARTS",
        5,
        "workers in a row dying before their first result, after which the crawl ends as "
        "`pool_broken`",
        low=1,
    )


@dataclass(frozen=True, kw_only=True)
class GcOptions(Options):
    """``pipelines.runtime.gc_tuning.GcTuning``."""

    freeze: bool = setting(
        "SYNDICRAWL_GC_FREEZE",
        True,
        "the crawl process freezes its start-up objects out of garbage collection while crawling",
    )
    threshold: int = setting(
        "SYNDICRAWL_GC_THRESHOLD",
        50_000,
        "the crawl process's first-generation collection threshold while crawling; `0`: "
        "Python's (700)",
        low=0,
    )
