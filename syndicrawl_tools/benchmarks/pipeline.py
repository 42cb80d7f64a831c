"""``syndicrawl bench [pipeline]``: the whole crawl's throughput, CPU per article by stage, peak memory.

A synthetic news web (:mod:`syndicrawl_tools.benchmarks.synthweb`, deterministic in ``--seed``) is served on
127.0.0.1 by its own process (:mod:`syndicrawl_tools.benchmarks.server`: its CPU is not counted) and crawled
by ``syndicrawl crawl``'s code in a subprocess (:mod:`syndicrawl_tools.benchmarks.crawl_child`), with
AutoThrottle off and high concurrency. In one run:

* ``full``: the whole pipeline, pool of ``--processes`` workers (default: the machine's cores);
* ``scrapy_only``: the same crawl with no item pipelines (Scrapy alone: fetch, parse, items);
* ``bare_trafilatura_in_crawl`` (in ``full``): ``trafilatura.extract(html)`` (defaults) on every
  ``--bare-every``-th page, as one more task in the full crawl's own pool
  (:mod:`syndicrawl_tools.benchmarks.baseline`): the yardstick of the CPU target, measured in the same
  processes and minutes as the crawl; its CPU is taken out of the crawl's;
* ``bare_trafilatura``: the same on a sample of the pages in this process alone, for reference
  (the VM's speed drifts by up to ~30% over minutes: a figure timed apart can mislead);
* ``pool_0`` / ``pool_1`` / ``pool_N``: the full crawl of a ``--compare-articles`` web with the
  stage cores in the crawl process, with one worker and with ``--processes`` workers; 1 and N
  alternate for ``--rounds`` rounds, and their rates are pooled over the rounds. Scrapy alone
  crawls that web too (``scrapy_only_compare``), for the ceiling of the pool ratio
  (:func:`ceiling_ratio`, and :func:`shared_cores_ceiling_ratio` with the workers' measured
  slowdown when they share the cores);
* with ``--extract-only``, ``extract_only_pool_1`` / ``extract_only_pool_N`` too, in the same
  rounds: the comparison crawl with the extract stage alone (clean, dates, syndication and export
  not moved but deleted, costing nothing anywhere). Its ratio is measured, not computed: what the
  pool can reach when the crawl process keeps only Scrapy, the pool's traffic and the item's way
  through the engine.

* ``real_pages`` (after the rest; ``--corpus``, off with ``--no-real-pages``): the shared corpora's
  real pages (:mod:`syndicrawl_tools.benchmarks.corpusweb`) crawled once with the full pipeline,
  bare trafilatura timed on every page in the pool; its ratio is CPU per page processed (exported
  or dropped) over bare trafilatura's CPU per page (:func:`real_pages_figures`). No corpus there:
  ``{"skipped": reason}``.

Articles per second: over the whole crawl (start-up, discovery and the final drain included) and
steady (between the 10th and 90th percentile of the items' scrape times,
:class:`syndicrawl_tools.benchmarks.timing.ItemClock`).

CPU per article is the crawl process tree's (the crawl process from its start, plus its pool
workers and the forkserver they are forked from); per stage: the crawl process's CPU inside each
stage, plus the workers' CPU in the stage's core. ``fetch_parse`` is the rest of the crawl process (Scrapy, the spider, discovery, the reactor);
``pool_overhead`` the workers' CPU outside the cores (start-up, (un)pickling). Peak memory: the
largest sum of RSS over the crawl process and its descendants (the forkserver and the pool
workers; sampled every 0.2 s), the same in PSS (shared pages counted once), the crawl process's own
peak (``VmHWM``) and the largest sampled RSS sum over its descendants.

``--memory-check`` instead crawls a 5,000- and a 50,000-article web and compares their peaks.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from syndicrawl_tools.benchmarks.baseline import (
    BARE_CPU_STAT,
    BARE_FOUND_STAT,
    BARE_PAGES_STAT,
    BY_SITE_STAT,
    yardstick_cpu,
)
from syndicrawl_tools.benchmarks.corpusweb import CorpusWeb, found_corpora
from syndicrawl_tools.benchmarks.synthweb import SyntheticWeb
from syndicrawl_tools.benchmarks.timing import (
    STEADY_RATE_STAT,
    THREAD_CPU_STAT,
    children_of,
    proc_status_kb,
    process_cpu_seconds,
    pss_kb,
)
from syndicrawl_tools.evaluation.extraction import DEFAULT_CORPUS

STAGES = ("extract", "clean", "revisit", "dates", "syndication", "export")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _child_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{path}" if path else str(REPO_ROOT),
    }


class CrawlRun(NamedTuple):
    """One crawl of a served web (:func:`crawl_web`)."""

    label: str
    """Names the crawl's report and its output folder."""
    pipeline: bool = True
    """False: Scrapy alone, no item pipelines."""
    processes: int = 0
    """Pool workers; 0: the stage cores in the crawl process."""
    bare_every: int = 0
    """Also time bare trafilatura on every N-th page (0: never)."""
    stages: tuple[str, ...] | None = None
    """Only these stages of ``ITEM_PIPELINES`` (names of :data:`STAGES`); None: all."""


class ServedWeb(NamedTuple):
    urls: dict[str, str]
    """{site: base_url}"""
    pid: int
    """The server's process: it shares the crawl's cores, so its CPU is reported too."""


def served(
    n_articles: int, seed: int, anchor: datetime, workdir: Path, page_scale: float = 1.0
) -> AbstractContextManager[ServedWeb]:
    """The synthetic web served by its own process."""
    port_file = workdir / f"ports-{n_articles}-{seed}.json"
    args = ["--articles", str(n_articles), "--seed", str(seed), "--page-scale", str(page_scale)]
    return _server_process([*args, "--anchor", anchor.isoformat()], port_file)


def served_corpus(
    folder: Path, anchor: datetime, workdir: Path, per_site: int | None = None
) -> AbstractContextManager[ServedWeb]:
    """The corpus folder's real pages (:class:`CorpusWeb`) served by its own process."""
    args = ["--corpus", str(folder), "--anchor", anchor.isoformat()]
    if per_site is not None:
        args += ["--corpus-pages", str(per_site)]
    return _server_process(args, workdir / f"ports-corpus-{per_site or 'all'}.json")


@contextmanager
def _server_process(args: Sequence[str], port_file: Path) -> Iterator[ServedWeb]:
    port_file.unlink(missing_ok=True)  # an earlier server's ports would be taken for this one's
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndicrawl_tools.benchmarks.server",
            *args,
            "--port-file",
            str(port_file),
        ],
        env=_child_env(),
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300  # pages are rendered before the server listens
        while not port_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the benchmark web server did not start (exit status {proc.poll()})"
                )
            time.sleep(0.05)
        yield ServedWeb(json.loads(port_file.read_text())["sites"], proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        out.extend(kids)
        todo.extend(kids)
    return out


def tree_memory_kb(pid: int) -> dict[str, int]:
    """RSS and PSS (kB) of ``pid`` and summed over its descendants: the forkserver and the pool's
    workers (Linux /proc). The workers share the forkserver's pages: RSS counts them once per
    process, PSS splits them between the processes sharing them."""
    kids = _descendants(pid)
    return {
        "crawl": proc_status_kb(pid, "VmRSS"),
        "children": sum(proc_status_kb(p, "VmRSS") for p in kids),
        "crawl_pss": pss_kb(pid),
        "children_pss": sum(pss_kb(p) for p in kids),
    }


def run_crawl_child(config: dict[str, Any], workdir: Path, label: str) -> dict[str, Any]:
    """One crawl subprocess; its report plus the sampled peak RSS of its process tree."""
    cfg = workdir / f"{label}.json"
    cfg.write_text(json.dumps(config))
    log = workdir / f"{label}.log"
    with log.open("w") as err:  # the crawl's log goes to a file, not into this process's memory
        proc = subprocess.Popen(
            [sys.executable, "-m", "syndicrawl_tools.benchmarks.crawl_child", str(cfg)],
            env=_child_env(),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        peak = {"tree": 0, "children": 0, "tree_pss": 0}

        def sample() -> None:
            while proc.poll() is None:
                now = tree_memory_kb(proc.pid)
                peak["tree"] = max(peak["tree"], now["crawl"] + now["children"])
                peak["children"] = max(peak["children"], now["children"])
                peak["tree_pss"] = max(peak["tree_pss"], now["crawl_pss"] + now["children_pss"])
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, _ = proc.communicate()
        sampler.join()
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(
            f"benchmark crawl {label} failed (exit status {proc.returncode}): {tail}"
        )
    report: dict[str, Any] = json.loads(lines[-1])
    report["tree_peak_rss_kb"] = peak["tree"]
    report["children_peak_rss_kb"] = peak["children"]
    report["tree_peak_pss_kb"] = peak["tree_pss"]
    return report


def crawl_config(
    web: SyntheticWeb | CorpusWeb,
    urls: dict[str, str],
    workdir: Path,
    label: str,
    *,
    pipeline: bool,
    processes: int,
    bare_every: int = 0,
    stages: Sequence[str] | None = None,
) -> dict[str, Any]:
    return {
        "sites": {site: web.site_config(site, url) for site, url in urls.items()},
        "output": str(workdir / label / "out"),
        "state": str(workdir / label / "state"),
        "pipeline": pipeline,
        "bare_every": bare_every,
        "stages": list(stages) if stages is not None else None,
        "overrides": {
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"],
            "SYNDICRAWL_POOL_PROCESSES": processes,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": 64,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "DOWNLOAD_DELAY": 0,
            "LOG_LEVEL": "WARNING",
            "SYNDICRAWL_MONITOR_ENABLED": False,
            # the scheduler's queue on disk: 50k pending requests must not sit in memory
            "JOBDIR": str(workdir / label / "state" / "job"),
        },
    }


def summarize(report: dict[str, Any], *, processes: int) -> dict[str, Any]:
    """Articles per second, CPU per article by stage (ms), peak memory (MB) of one crawl."""
    stats = report["stats"]
    articles = int(stats.get("item_scraped_count", 0))
    per = max(articles, 1)
    main = {s: float(stats.get(f"syndicrawl/{s}/main_cpu_seconds", 0.0)) for s in STAGES}
    worker = {s: float(stats.get(f"syndicrawl/{s}/worker_cpu_seconds", 0.0)) for s in STAGES}
    self_cpu, kids_cpu = report["self_cpu_seconds"], report["children_cpu_seconds"]
    # bare trafilatura timed inside the crawl (syndicrawl_tools/benchmarks/baseline.py) is not the crawl's
    bare_cpu = float(stats.get(BARE_CPU_STAT, 0.0))
    bare_pages = int(stats.get(BARE_PAGES_STAT, 0))
    yardstick_here, yardstick_workers = yardstick_cpu(stats, pooled=processes > 0)
    self_cpu -= yardstick_here
    kids_cpu -= yardstick_workers
    stage_ms = {s: round(1000 * (main[s] + worker[s]) / per, 3) for s in STAGES}
    stage_ms["fetch_parse"] = round(1000 * (self_cpu - sum(main.values())) / per, 3)
    stage_ms["pool_overhead"] = (
        round(1000 * (kids_cpu - sum(worker.values())) / per, 3) if processes else 0.0
    )
    return {
        "articles": articles,
        "dropped": int(stats.get("item_dropped_count", 0)),
        "wall_seconds": round(report["wall_seconds"], 2),
        "articles_per_second": round(articles / report["wall_seconds"], 2)
        if report["wall_seconds"]
        else 0.0,
        "steady_articles_per_second": round(float(stats.get(STEADY_RATE_STAT, 0.0)), 2),
        "cpu_ms_per_article": round(1000 * (self_cpu + kids_cpu) / per, 3),
        # the pool workers' share (the pool's bottleneck with one worker), and the test server's
        # CPU, which is not the crawl's but runs on the same cores
        "pool_workers_cpu_ms_per_article": round(1000 * kids_cpu / per, 3),
        "server_cpu_ms_per_article": round(1000 * report.get("server_cpu_seconds", 0.0) / per, 3),
        "cpu_ms_per_article_by_stage": stage_ms,
        # the crawl process's threads at the spider's close (the reactor, pool I/O, Twisted's pool)
        "crawl_process_cpu_ms_per_article_by_thread": {
            key[len(THREAD_CPU_STAT) + 1 :]: round(1000 * float(value) / per, 3)
            for key, value in stats.items()
            if key.startswith(f"{THREAD_CPU_STAT}/")
        },
        "peak_rss_mb": round(report["tree_peak_rss_kb"] / 1024, 1),
        # shared pages counted once (the workers share the forkserver's warmed-up libraries)
        "peak_pss_mb": round(report.get("tree_peak_pss_kb", 0) / 1024, 1),
        "crawl_process_peak_rss_mb": round(report["self_maxrss_kb"] / 1024, 1),
        "pool_workers_peak_rss_mb": round(report["children_peak_rss_kb"] / 1024, 1),
        "exit_status": report["exit_status"],
        "bare_trafilatura_in_crawl": {
            "pages": bare_pages,
            "extracted": int(stats.get(BARE_FOUND_STAT, 0)),
            "cpu_ms_per_page": round(1000 * bare_cpu / bare_pages, 3) if bare_pages else None,
        },
    }


def bare_trafilatura(web: SyntheticWeb, sample: int) -> dict[str, Any]:
    """``trafilatura.extract`` with its defaults, CPU per page, on an evenly spread sample of pages,
    in this process (alone on the machine: for reference; the target uses the in-crawl sample)."""
    import trafilatura

    step = max(1, web.n_articles // sample)
    pages = [web.render(i).decode("utf-8") for i in range(0, web.n_articles, step)][:sample]
    trafilatura.extract(pages[0])  # warm-up (imports, caches)
    started = time.process_time()
    found = sum(1 for html in pages if trafilatura.extract(html))
    cpu = time.process_time() - started
    return {
        "pages": len(pages),
        "extracted": found,
        "cpu_ms_per_page": round(1000 * cpu / len(pages), 3),
    }


def crawl_web(
    n: int,
    seed: int,
    anchor: datetime,
    workdir: Path,
    runs: Sequence[tuple[Any, ...]],
    page_scale: float = 1.0,
) -> dict[str, dict[str, Any]]:
    """Serve an ``n``-article web and run each crawl of ``runs`` (:class:`CrawlRun`, or a tuple of
    its fields) on it."""
    web = SyntheticWeb(n, seed=seed, anchor=anchor, page_scale=page_scale)
    out = {}
    with served(n, seed, anchor, workdir, page_scale) as server:
        for run in (CrawlRun(*fields) for fields in runs):
            config = crawl_config(
                web,
                server.urls,
                workdir,
                run.label,
                pipeline=run.pipeline,
                processes=run.processes,
                bare_every=run.bare_every,
                stages=run.stages,
            )
            server_cpu = process_cpu_seconds(server.pid)
            report = run_crawl_child(config, workdir, run.label)
            report["server_cpu_seconds"] = process_cpu_seconds(server.pid) - server_cpu
            out[run.label] = summarize(report, processes=run.processes if run.pipeline else 0)
            if out[run.label]["articles"] == 0:
                raise RuntimeError(
                    f"benchmark crawl {run.label} scraped no article of the {n}-article web; "
                    f"its log: {workdir / f'{run.label}.log'}"
                )
    return out


STARTUP_PAGES_PER_SITE = 2
"""Pages of each sub-corpus in the start-up crawl (:func:`crawl_real_pages`)."""


def crawl_real_pages(
    folder: Path, processes: int, anchor: datetime, workdir: Path
) -> dict[str, Any]:
    """The corpus folder's real pages (:mod:`syndicrawl_tools.benchmarks.corpusweb`) crawled once
    with the full pipeline and ``processes`` workers, bare trafilatura timed on every page in the
    same pool; ``{"skipped": reason}`` when there is no corpus there to crawl.

    A crawl's start-up (the workers' forkserver importing and warming up the libraries, the
    engine, robots.txt and sitemaps) costs the same few seconds of CPU whatever the crawl's size:
    over 10,000 synthetic articles it is a few percent, over ~460 real pages a third. So the same
    crawl is also run on :data:`STARTUP_PAGES_PER_SITE` pages of each sub-corpus, and the figures
    say both: CPU per page as crawled, and past the start-up (the difference of the two crawls'
    CPU over the difference of their pages)."""
    _, problem = found_corpora(folder)
    if problem is None:
        try:
            web = CorpusWeb(folder, anchor=anchor)
        except (OSError, ValueError, KeyError) as exc:  # a damaged corpus is not the crawl's fault
            problem = f"could not load the corpus at {folder}: {exc!r}"
    if problem is not None:
        return {"skipped": problem}
    reports = {}
    for label, per_site in (
        ("real_pages_startup", STARTUP_PAGES_PER_SITE),
        ("real_pages", None),
    ):
        with served_corpus(folder, anchor, workdir, per_site) as server:
            config = crawl_config(
                web, server.urls, workdir, label, pipeline=True, processes=processes, bare_every=1
            )
            server_cpu = process_cpu_seconds(server.pid)
            reports[label] = run_crawl_child(config, workdir, label)
            reports[label]["server_cpu_seconds"] = process_cpu_seconds(server.pid) - server_cpu
    figures = real_pages_figures(
        reports["real_pages"],
        processes,
        {s: len(web.pages[s]) for s in web.sites},
        startup=reports["real_pages_startup"],
    )
    figures["corpus"] = str(folder)
    if figures["articles"] == 0:
        raise RuntimeError(
            f"the real-pages crawl exported no article of {folder}; its log: "
            f"{workdir / 'real_pages.log'}"
        )
    return figures


def _crawl_cpu(report: dict[str, Any], processes: int) -> tuple[float, int]:
    """The crawl's own CPU seconds (bare trafilatura's taken out) and the pages it processed."""
    stats = report["stats"]
    here, workers = yardstick_cpu(stats, pooled=processes > 0)
    cpu = report["self_cpu_seconds"] + report["children_cpu_seconds"] - here - workers
    pages = int(stats.get("item_scraped_count", 0)) + int(stats.get("item_dropped_count", 0))
    return cpu, pages


def real_pages_figures(
    report: dict[str, Any],
    processes: int,
    served_pages: dict[str, int],
    startup: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`summarize` of the real-pages crawl, plus CPU per page the pipeline was given.

    Real pages are dropped too (non-articles, duplicates): CPU per *exported* article would charge
    the dropped pages' work to the others, while bare trafilatura is timed on every page. So the
    ratio is CPU per page processed (every page the pipeline was given: exported + dropped) over
    bare trafilatura's CPU per page, on the same pages."""
    stats = report["stats"]
    summary = summarize(report, processes=processes)
    crawl_cpu, processed = _crawl_cpu(report, processes)
    per_page = round(1000 * crawl_cpu / processed, 3) if processed else None
    bare_ms = summary["bare_trafilatura_in_crawl"]["cpu_ms_per_page"]
    past_startup: dict[str, Any] = {}
    if startup is not None:
        startup_cpu, startup_pages = _crawl_cpu(startup, processes)
        marginal = (
            round(1000 * (crawl_cpu - startup_cpu) / (processed - startup_pages), 3)
            if processed > startup_pages
            else None
        )
        past_startup = {
            "startup_crawl": {
                "pages_processed": startup_pages,
                "cpu_seconds": round(startup_cpu, 3),
            },
            "cpu_ms_per_page_past_startup": marginal,
            "full_cpu_per_article_vs_bare_trafilatura_in_crawl_past_startup": _ratio(
                marginal or 0.0, bare_ms or 0.0
            ),
        }
    drops = {
        key.removeprefix("syndicrawl/"): int(value)
        for key, value in sorted(stats.items())
        if key.startswith("syndicrawl/") and "/dropped_count/" in key
    }
    by_corpus = {}
    for site, served in served_pages.items():
        prefix = f"{BY_SITE_STAT}/{site}"
        bare_pages = int(stats.get(f"{prefix}/bare_trafilatura_pages", 0))
        bare_site = float(stats.get(f"{prefix}/bare_trafilatura_cpu_seconds", 0.0))
        by_corpus[site] = {
            "pages_served": served,
            "pages_processed": int(stats.get(f"{prefix}/pages", 0)),
            "articles": int(stats.get(f"{prefix}/exported", 0)),
            "bare_trafilatura_in_crawl": {
                "pages": bare_pages,
                "cpu_ms_per_page": round(1000 * bare_site / bare_pages, 3) if bare_pages else None,
            },
        }
    return {
        **summary,
        "pages_served": sum(served_pages.values()),
        "pages_processed": processed,
        "drops": drops,
        "cpu_ms_per_page": per_page,
        "full_cpu_per_article_vs_bare_trafilatura_in_crawl": _ratio(
            per_page or 0.0, bare_ms or 0.0
        ),
        **past_startup,
        # the pipeline's CPU is not split by site (its stages are timed over the whole crawl):
        # per sub-corpus, the pages, what came out and bare trafilatura's cost
        "by_corpus": by_corpus,
        "ratio_uses": "CPU per page processed (exported + dropped) over bare trafilatura's CPU "
        "per page, every page timed in the crawl's pool",
    }


def _cores() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _pooled(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Articles per second over several crawls of one configuration (the runs' walls summed)."""
    articles = sum(r["articles"] for r in runs)
    wall = sum(r["wall_seconds"] for r in runs)
    steady = [r["steady_articles_per_second"] for r in runs]
    return {
        "crawls": len(runs),
        "articles_per_second": round(articles / wall, 2) if wall else 0.0,
        "steady_articles_per_second": round(sum(steady) / len(steady), 2) if steady else 0.0,
        "articles_per_second_by_round": [r["articles_per_second"] for r in runs],
        "pool_workers_cpu_ms_per_article": _mean(
            r["pool_workers_cpu_ms_per_article"] for r in runs
        ),
        # everything on the machine: the crawl process, its workers and the test server
        "machine_cpu_ms_per_article": _mean(
            r["cpu_ms_per_article"] + r["server_cpu_ms_per_article"] for r in runs
        ),
    }


def _mean(values: Iterable[float]) -> float:
    found = list(values)
    return round(sum(found) / len(found), 3) if found else 0.0


def cpu_bound_ratio(one: dict[str, Any], many: dict[str, Any], cores: int) -> float | None:
    """The pool ratio the CPU figures allow: with one worker the rate is at most 1/W (W: the
    worker's CPU per article); with ``cores`` busy, at most cores/T (T: all CPU per article on
    the machine). Read in the same run from CPU times, it drifts less than the measured rates."""
    worker, machine = one["pool_workers_cpu_ms_per_article"], many["machine_cpu_ms_per_article"]
    return round(cores * worker / machine, 3) if worker and machine else None


def ceiling_ratio(
    in_process: dict[str, Any], scrapy_alone: dict[str, Any], cores: int
) -> float | None:
    """The pool ratio no pool design can beat while one crawl process runs Scrapy: if the crawl
    process did only Scrapy's work (S, CPU per article of the crawl with no pipelines) and every
    stage ran in the workers with no inter-process cost and no slowdown from sharing the cores,
    one worker would take T0 - S per article and the machine T0 + the server's, T0 being the
    in-process crawl's CPU per article. The gap from ``cpu_bound`` to this is what moving more
    work into the workers could still win."""
    total = in_process["cpu_ms_per_article"]
    movable = total - scrapy_alone["cpu_ms_per_article"]
    machine = total + in_process["server_cpu_ms_per_article"]
    return round(cores * movable / machine, 3) if movable > 0 and machine else None


def shared_cores_ceiling_ratio(
    in_process: dict[str, Any],
    scrapy_alone: dict[str, Any],
    one: dict[str, Any],
    many: dict[str, Any],
    cores: int,
) -> float | None:
    """:func:`ceiling_ratio` with the slowdown the workers measurably suffer from sharing the
    cores: their CPU per article with ``cores`` workers over that with one (the crawl process, the
    test server and the other workers take turns on the same cores and caches), applied to every
    stage moved into them. Still no inter-process cost. The slowdown is today's: a crawl process
    doing less leaves the workers more of the cores, so this is a ceiling only while it lasts."""
    total = in_process["cpu_ms_per_article"]
    scrapy = scrapy_alone["cpu_ms_per_article"]
    movable = total - scrapy
    alone, shared = one["pool_workers_cpu_ms_per_article"], many["pool_workers_cpu_ms_per_article"]
    if movable <= 0 or not alone or not shared:
        return None
    machine = movable * shared / alone + scrapy + in_process["server_cpu_ms_per_article"]
    return round(cores * movable / machine, 3)


def run_bench(
    n: int,
    compare: int,
    processes: int,
    seed: int,
    sample: int,
    workdir: Path,
    page_scale: float = 1.0,
    rounds: int = 2,
    bare_every: int = 20,
    extract_only: bool = False,
    corpus: Path | None = None,
) -> dict[str, Any]:
    """The whole bench; ``corpus``: also crawl that folder's real pages (None: not)."""
    anchor = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    report: dict[str, Any] = {
        "command": f"syndicrawl bench --articles {n} --compare-articles {compare} --rounds {rounds}"
        f" --bare-every {bare_every}"
        + (f" --page-scale {page_scale:g}" if page_scale != 1 else "")
        + (" --extract-only" if extract_only else "")
        + (f" --corpus {corpus}" if corpus is not None else " --no-real-pages"),
        "page_scale": page_scale,
        "cores": _cores(),
        "processes": processes,
        "articles_generated": n,
        "seed": seed,
    }
    # The full crawl also times bare trafilatura on every bare_every-th page, in its own pool:
    # the yardstick measured in the same processes and minutes as the crawl (the VM's speed
    # drifts by up to ~30% over minutes; see syndicrawl_tools/benchmarks/baseline.py).
    runs = crawl_web(
        n,
        seed,
        anchor,
        workdir,
        [("full", True, processes, bare_every), ("scrapy_only", False, 0)],
        page_scale,
    )
    bare = bare_trafilatura(
        SyntheticWeb(n, seed=seed, anchor=anchor, page_scale=page_scale), sample
    )
    full, scrapy_only = runs["full"], runs["scrapy_only"]
    report["full"], report["scrapy_only"] = full, scrapy_only
    report["bare_trafilatura"] = bare
    in_crawl = full["bare_trafilatura_in_crawl"]["cpu_ms_per_page"] or 0.0
    # 1 worker and N workers alternate, round after round, so drift hits both alike.
    many_label = f"pool_{processes}" if processes != 1 else "pool_1b"  # labels name output dirs
    suffixes = ["" if r == 1 else f"_round{r}" for r in range(1, rounds + 1)]
    plan = [CrawlRun("pool_0"), CrawlRun("scrapy_only_compare", pipeline=False)]
    for suffix in suffixes:
        plan += [CrawlRun(f"pool_1{suffix}", processes=1)]
        plan += [CrawlRun(f"{many_label}{suffix}", processes=processes)]
        if extract_only:
            plan += [
                CrawlRun(f"extract_only_pool_1{suffix}", processes=1, stages=("extract",)),
                CrawlRun(
                    f"extract_only_{many_label}{suffix}", processes=processes, stages=("extract",)
                ),
            ]
    compare_runs = crawl_web(compare, seed + 1, anchor, workdir, plan, page_scale)
    one = _pooled([compare_runs[f"pool_1{suffix}"] for suffix in suffixes])
    many = _pooled([compare_runs[f"{many_label}{suffix}"] for suffix in suffixes])
    report["pool_compare"] = {
        "articles_generated": compare,
        "rounds": rounds,
        **compare_runs,
        "pool_1_all_rounds": one,
        f"{many_label}_all_rounds": many,
    }
    if extract_only:
        report["pool_compare"]["extract_only_pool_1_all_rounds"] = _pooled(
            [compare_runs[f"extract_only_pool_1{suffix}"] for suffix in suffixes]
        )
        report["pool_compare"][f"extract_only_{many_label}_all_rounds"] = _pooled(
            [compare_runs[f"extract_only_{many_label}{suffix}"] for suffix in suffixes]
        )
    report["ratios"] = {
        "full_vs_scrapy_only_articles_per_second": _ratio(
            full["articles_per_second"], scrapy_only["articles_per_second"]
        ),
        "full_vs_scrapy_only_cpu_per_article": _ratio(
            full["cpu_ms_per_article"], scrapy_only["cpu_ms_per_article"]
        ),
        "full_cpu_per_article_vs_bare_trafilatura": _ratio(
            full["cpu_ms_per_article"], bare["cpu_ms_per_page"]
        ),
        "full_cpu_per_article_vs_bare_trafilatura_in_crawl": _ratio(
            full["cpu_ms_per_article"], in_crawl
        ),
        "extract_stage_vs_bare_trafilatura_in_crawl": _ratio(
            full["cpu_ms_per_article_by_stage"]["extract"], in_crawl
        ),
        "scrapy_only_cpu_per_article_vs_bare_trafilatura_in_crawl": _ratio(
            scrapy_only["cpu_ms_per_article"], in_crawl
        ),
        "full_peak_rss_vs_scrapy_only": _ratio(full["peak_rss_mb"], scrapy_only["peak_rss_mb"]),
        f"{many_label}_vs_pool_1_articles_per_second": _ratio(
            many["articles_per_second"], one["articles_per_second"]
        ),
        f"{many_label}_vs_pool_1_steady_articles_per_second": _ratio(
            many["steady_articles_per_second"], one["steady_articles_per_second"]
        ),
        f"{many_label}_vs_pool_1_articles_per_second_by_round": [
            _ratio(m, o)
            for m, o in zip(
                many["articles_per_second_by_round"],
                one["articles_per_second_by_round"],
                strict=True,
            )
        ],
        f"{many_label}_vs_pool_1_cpu_bound": cpu_bound_ratio(
            one, many, min(processes, report["cores"])
        ),
        f"{many_label}_vs_pool_1_ceiling": ceiling_ratio(
            compare_runs["pool_0"],
            compare_runs["scrapy_only_compare"],
            min(processes, report["cores"]),
        ),
        f"{many_label}_vs_pool_1_ceiling_shared_cores": shared_cores_ceiling_ratio(
            compare_runs["pool_0"],
            compare_runs["scrapy_only_compare"],
            one,
            many,
            min(processes, report["cores"]),
        ),
        f"{many_label}_vs_in_process_articles_per_second": _ratio(
            many["articles_per_second"], compare_runs["pool_0"]["articles_per_second"]
        ),
    }
    if extract_only:
        pooled = report["pool_compare"]
        alone, with_many = (
            pooled["extract_only_pool_1_all_rounds"],
            pooled[f"extract_only_{many_label}_all_rounds"],
        )
        report["ratios"][f"{many_label}_vs_pool_1_extract_only"] = _ratio(
            with_many["articles_per_second"], alone["articles_per_second"]
        )
        report["ratios"][f"{many_label}_vs_pool_1_extract_only_steady"] = _ratio(
            with_many["steady_articles_per_second"], alone["steady_articles_per_second"]
        )
    # After the synthetic crawls: the shared corpora's real pages, every one also timed with bare
    # trafilatura in the pool (a few hundred pages: bare_every=1 costs little).
    if corpus is None:
        report["real_pages"] = {"skipped": "--no-real-pages"}
    else:
        report["real_pages"] = crawl_real_pages(corpus, processes, anchor, workdir)
        if "skipped" in report["real_pages"]:
            print(
                f"syndicrawl bench: real pages skipped: {report['real_pages']['skipped']}",
                file=sys.stderr,
            )
    real = report["real_pages"]
    ratios = report["ratios"]
    ratios["real_pages_cpu_per_article_vs_bare_trafilatura_in_crawl"] = real.get(
        "full_cpu_per_article_vs_bare_trafilatura_in_crawl"
    )
    ratios["real_pages_cpu_per_article_vs_bare_trafilatura_in_crawl_past_startup"] = real.get(
        "full_cpu_per_article_vs_bare_trafilatura_in_crawl_past_startup"
    )
    # the pool's throughput against what the CPU figures allow it (cpu_bound_ratio)
    bound = ratios[f"{many_label}_vs_pool_1_cpu_bound"]
    ratios[f"{many_label}_vs_pool_1_share_of_cpu_bound"] = _ratio(
        ratios[f"{many_label}_vs_pool_1_articles_per_second"] or 0.0, bound or 0.0
    )
    report["targets"] = {
        f"{many_label}_vs_pool_1>=0.95x_cpu_bound": (
            ratios[f"{many_label}_vs_pool_1_share_of_cpu_bound"] or 0
        )
        >= 0.95,
        "cpu_per_article<=1.0x_bare_trafilatura_in_crawl": (
            ratios["full_cpu_per_article_vs_bare_trafilatura_in_crawl"] or 99
        )
        <= 1.0,
        "real_pages_cpu_per_page<=1.0x_bare_trafilatura_in_crawl_past_startup": (
            ratios["real_pages_cpu_per_article_vs_bare_trafilatura_in_crawl_past_startup"] or 99
        )
        <= 1.0,
    }
    return report


def run_memory_check(
    small: int, large: int, processes: int, seed: int, workdir: Path
) -> dict[str, Any]:
    anchor = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    report: dict[str, Any] = {
        "command": f"syndicrawl bench --memory-check --small {small} --large {large}",
        "cores": _cores(),
        "processes": processes,
    }
    for n in (small, large):
        report[f"full_{n}"] = crawl_web(
            n, seed, anchor, workdir, [(f"memory_{n}", True, processes)]
        )[f"memory_{n}"]
    ratio = _ratio(report[f"full_{large}"]["peak_rss_mb"], report[f"full_{small}"]["peak_rss_mb"])
    report["ratios"] = {
        f"peak_rss_{large}_vs_{small}": ratio,
        # RSS counts the pages the workers share with the forkserver once per process; PSS once
        f"peak_pss_{large}_vs_{small}": _ratio(
            report[f"full_{large}"]["peak_pss_mb"], report[f"full_{small}"]["peak_pss_mb"]
        ),
    }
    report["targets"] = {
        f"peak_rss_{large}<=1.5x_{small}": (ratio or 99) <= 1.5,
        f"peak_pss_{large}<=1.5x_{small}": (report["ratios"][f"peak_pss_{large}_vs_{small}"] or 99)
        <= 1.5,
    }
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on the last line"
    )
    parser.add_argument(
        "--articles", type=int, default=10_000, help="articles in the synthetic web (default 10000)"
    )
    parser.add_argument(
        "--compare-articles",
        type=int,
        default=3000,
        help="articles in the web crawled with 1 and with --processes workers (default 3000)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=_cores(),
        help="pool workers (default: the machine's cores)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=1000,
        help="pages the bare-trafilatura baseline extracts (default 1000)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="crawls of the comparison web with 1 and with --processes workers, alternating "
        "(default 2 each)",
    )
    parser.add_argument(
        "--bare-every",
        type=int,
        default=20,
        help="the full crawl also times bare trafilatura on every N-th page (default 20)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--page-scale",
        type=float,
        default=1.0,
        help="page sizes times this (default 1: median ~115 KB as article-extraction-benchmark; "
        "1.8: ~250 KB as fundus)",
    )
    parser.add_argument(
        "--extract-only",
        action="store_true",
        help="also crawl the comparison web with the extract stage alone, 1 and --processes "
        "workers per round: the pool ratio when the crawl process keeps only Scrapy's work and "
        "the pool's traffic",
    )
    parser.add_argument(
        "--corpus",
        default=DEFAULT_CORPUS,
        help="also crawl this folder's real pages (article-extraction-benchmark, fundus, "
        f"newspaper4k), bare trafilatura timed on every one (default {DEFAULT_CORPUS}; "
        "missing: skipped, said on stderr and in the report)",
    )
    parser.add_argument(
        "--no-real-pages",
        action="store_true",
        help="do not crawl the corpus's real pages",
    )
    parser.add_argument(
        "--memory-check",
        action="store_true",
        help="compare the peak memory of a --small and a --large crawl instead",
    )
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument(
        "--workdir",
        default=None,
        help="keep crawl outputs here (default: a temporary folder, removed)",
    )


def _validate(args: argparse.Namespace) -> str | None:
    for name in (
        "articles",
        "compare_articles",
        "sample",
        "small",
        "large",
        "rounds",
        "bare_every",
    ):
        if getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}"
    if not 0.5 <= args.page_scale <= 4:
        return f"--page-scale must be within 0.5..4, got {args.page_scale}"
    if args.processes < 1:
        return f"--processes must be >= 1, got {args.processes}"
    if not args.corpus:
        return "--corpus must name a folder"
    return None


def run(args: argparse.Namespace) -> int:
    problem = _validate(args)
    if problem:
        print(f"syndicrawl bench: {problem}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="syndicrawl-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.memory_check:
            report = run_memory_check(args.small, args.large, args.processes, args.seed, workdir)
        else:
            report = run_bench(
                args.articles,
                args.compare_articles,
                args.processes,
                args.seed,
                args.sample,
                workdir,
                args.page_scale,
                args.rounds,
                args.bare_every,
                args.extract_only,
                None if args.no_real_pages else Path(args.corpus),
            )
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print(json.dumps(report, indent=2, sort_keys=True))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="syndicrawl bench pipeline", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
