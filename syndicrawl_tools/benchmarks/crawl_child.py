"""One benchmark crawl, run in its own process (Twisted's reactor runs once per process)::

    python -m syndicrawl_tools.benchmarks.crawl_child CONFIG.json

``CONFIG.json``: ``{"sites": {name: site entry}, "output": dir, "state": dir, "pipeline": true,
"overrides": {...}}``. The crawl is :func:`crawler.runner.run_crawl` (what ``syndicrawl crawl``
runs) with each stage wrapped to time it (:mod:`syndicrawl_tools.benchmarks.timing`); ``"pipeline": false``
runs Scrapy alone (no item pipelines); ``"stages": [names]`` keeps only those stages
(:data:`syndicrawl_tools.benchmarks.timing.STAGES`); ``"bare_every": N`` also times bare trafilatura on every
N-th page inside the crawl (:mod:`syndicrawl_tools.benchmarks.baseline`). Prints one JSON object on the last
line: wall and CPU seconds of this process (from the crawl's start: imports excluded) and of its
(pool) children, their peak RSS, and the crawl's stats.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from crawler.registry import parse_site
from crawler.runner import run_crawl
from syndicrawl_tools.benchmarks.baseline import EVERY_SETTING, BaselineSampler, SiteCounter
from syndicrawl_tools.benchmarks.timing import (
    STAGES,
    ItemClock,
    forkserver_cpu_seconds,
    proc_status_kb,
    timed_pipelines,
)


def crawl(config: dict[str, Any]) -> dict[str, Any]:
    sites = {name: parse_site(entry, f"<bench {name}>") for name, entry in config["sites"].items()}
    import crawler.settings as project

    overrides = dict(config.get("overrides") or {})
    wanted = config.get("stages")  # names of STAGES; None: every stage
    stages = {
        path: priority
        for path, priority in project.ITEM_PIPELINES.items()
        if wanted is None or STAGES.get(path) in wanted
    }
    pipelines: dict[Any, int] = (
        dict(timed_pipelines(stages)) if config.get("pipeline", True) else {}
    )
    if pipelines and config.get("bare_every"):
        pipelines[BaselineSampler] = 50  # ahead of extract [100]; its pool CPU is counted apart
        overrides[EVERY_SETTING] = int(config["bare_every"])
        pipelines[SiteCounter] = 10_000  # after export [500]: what came out, per site
    overrides["ITEM_PIPELINES"] = pipelines
    overrides["EXTENSIONS"] = {**project.EXTENSIONS, ItemClock: 0}
    before = resource.getrusage(resource.RUSAGE_SELF)
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    result = run_crawl(
        sites, output_uri=config["output"], state_dir=config["state"], overrides=overrides
    )
    wall = time.perf_counter() - started_wall
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    forked = forkserver_cpu_seconds()  # the pool's workers, forked by the forkserver
    stats = {
        k: v for k, v in result.stats.items() if isinstance(v, int | float) and "/site/" not in k
    }
    return {
        "exit_status": result.exit_status,
        "problems": result.problems,
        "wall_seconds": wall,
        "crawl_cpu_seconds": time.process_time() - started_cpu,
        "self_cpu_seconds": me.ru_utime + me.ru_stime - before.ru_utime - before.ru_stime,
        "children_cpu_seconds": kids.ru_utime + kids.ru_stime + forked,
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec from the parent
        "self_maxrss_kb": _vm_hwm_kb(),
        "stats": stats,
    }


def _vm_hwm_kb() -> int:
    """This process's peak RSS (Linux /proc; 0 elsewhere)."""
    return proc_status_kb("self", "VmHWM")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    config = json.loads(Path(args[0]).read_text())
    report = crawl(config)
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
