"""A slow or hanging page costs its site no more than its own timeout, and a shutdown ends soon.

Real crawls (subprocesses) of one site on the fault server: healthy pages beside a slow-drip page
(headers at once, then one body byte a second for ten minutes) and a page whose headers take
2.5 s (it answers within the timeout, so AutoThrottle, on as in production, learns from it). A
second crawl is stopped with SIGINT mid-crawl, as Ctrl-C would (the whole process group), while
the drip page is downloading, a 500 page waits for its retry and healthy pages wait in the
site's queue; a third run finishes the job. Timing is checked against bounds that hold on a
loaded machine: a few timeouts, not the ten minutes of the drip or the minute of its retry.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT, crawl_argv
from tests.e2e.conftest import read_records
from tests.faults.server import HEALTHY, PLAIN, FaultServer

pytestmark = pytest.mark.e2e

TIMEOUT = 3  # DOWNLOAD_TIMEOUT of the crawls that must finish
MAX_SITE_DELAY = 0.5
COMMON = {
    "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1",
    "LOG_LEVEL": "INFO",
    "SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS": "1",
    "SYNDICRAWL_MONITOR_MAX_ERROR_RATE": "1",  # broken pages on purpose
}
HEALTHY_PAGES = [*HEALTHY, *PLAIN]
# Start-up (imports, pool workers warming up, robots.txt) on a loaded 2-core machine, generously.
STARTUP_SECONDS = 30


@dataclass
class Crawl:
    returncode: int
    stderr: str
    seconds: float
    stats: dict[str, Any]
    records: list[dict[str, Any]]


def argv(sites: Path, output: Path, settings: dict[str, str]) -> list[str]:
    args = crawl_argv(sites, output, "--json")
    for name, value in {**COMMON, **settings}.items():
        args += ["--set", f"{name}={value}"]
    return args


def latest_stats(output: Path) -> dict[str, Any]:
    documents = sorted((output / ".state" / "runs").glob("run=*.json"))
    assert documents, "no stats document"
    document = json.loads(documents[-1].read_text(encoding="utf-8"))
    return dict(document.get("stats", document))


def run(sites: Path, output: Path, settings: dict[str, str]) -> Crawl:
    started = time.monotonic()
    proc = subprocess.run(
        argv(sites, output, settings),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=output.parent,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    seconds = time.monotonic() - started
    return Crawl(proc.returncode, proc.stderr, seconds, latest_stats(output), read_records(output))


def exported_paths(records: list[dict[str, Any]]) -> Counter[str]:
    return Counter(urlsplit(r["url"]).path for r in records)


# --- a slow-drip page and a slow answer beside healthy pages ----------------------------------


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawl, Counter[str]]:
    workdir = tmp_path_factory.mktemp("slow-site")
    with FaultServer(workdir, million=10, slow_head_seconds=2.5) as server:
        sites = workdir / "sites"
        sites.mkdir()
        (sites / "slow-lab.yaml").write_text(
            server.lab_yaml(
                "slow-lab",
                HEALTHY_PAGES,
                first=["/f/drip.html", "/f/slow-head.html"],
                concurrency=2,
                delay=0.25,
            ),
            encoding="utf-8",
        )
        crawl = run(
            sites,
            workdir / "out",
            {
                "DOWNLOAD_TIMEOUT": str(TIMEOUT),
                "RETRY_TIMES": "2",
                "SYNDICRAWL_FETCH_BACKOFF_BASE": "0.1",
                "SYNDICRAWL_FETCH_BACKOFF_MAX": "0.3",
                "SYNDICRAWL_FETCH_MAX_SITE_DELAY": str(MAX_SITE_DELAY),
                "DOWNLOAD_DELAY_JITTER": "0",
            },
        )
        return crawl, Counter(server.requests)


def test_every_healthy_page_is_exported_once_beside_the_drip(
    slow_site: tuple[Crawl, Counter[str]],
) -> None:
    crawl, _requests = slow_site
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    paths = exported_paths(crawl.records)
    assert set(paths) == {*HEALTHY_PAGES, "/f/slow-head.html"}, crawl.stderr[-3000:]
    assert all(n == 1 for n in paths.values()), paths


def test_the_drip_is_cut_at_its_timeout_and_the_crawl_is_not_held_by_it(
    slow_site: tuple[Crawl, Counter[str]],
) -> None:
    crawl, requests = slow_site
    assert crawl.stats.get("syndicrawl/fetch/failed_count/timeout") == 1
    assert requests["/f/drip.html"] == 3  # RETRY_TIMES 2: three attempts of one timeout each
    # The drip never ends by itself (10 minutes); three attempts cost three timeouts.
    assert crawl.seconds < STARTUP_SECONDS + 6 * TIMEOUT, crawl.seconds


def test_a_slow_answer_does_not_push_the_site_delay_past_the_bound(
    slow_site: tuple[Crawl, Counter[str]],
) -> None:
    crawl, _requests = slow_site
    # AutoThrottle asked for latency / 2 = 1.25 s after the 2.5 s answer; the site stays bounded.
    assert crawl.stats.get("syndicrawl/site/slow-lab/fetch/delay_capped_count", 0) >= 1
    highest = crawl.stats["syndicrawl/site/slow-lab/fetch/delay_max_seconds"]
    assert 0.25 <= highest <= MAX_SITE_DELAY


# --- SIGINT mid-crawl, then a run that finishes the job ------------------------------------------


@dataclass
class Interrupted:
    first: Crawl
    after_sigint: list[str]  # healthy pages requested after SIGINT
    sigint_to_exit: float
    finish: Crawl
    requests: Counter[str]


def wait_for(condition: Any, seconds: float, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline, "the crawl did not get far enough in time"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory) -> Interrupted:
    workdir = tmp_path_factory.mktemp("sigint")
    output = workdir / "out"
    with FaultServer(workdir, million=10) as server:
        sites = workdir / "sites"
        sites.mkdir()
        (sites / "stop-lab.yaml").write_text(
            server.lab_yaml(
                "stop-lab",
                HEALTHY_PAGES,
                first=["/f/drip.html", "/f/down.html"],
                concurrency=2,
                delay=1.0,  # the healthy pages take ~11 s: most are queued at the SIGINT
            ),
            encoding="utf-8",
        )
        # Without the shutdown handling: the drip would hold the close for its 60 s timeout, the
        # 500 page for its 30-60 s backoff, the queue for one page a second.
        slow = {
            "DOWNLOAD_TIMEOUT": "60",
            "RETRY_TIMES": "3",
            "SYNDICRAWL_FETCH_BACKOFF_BASE": "60",
            "SYNDICRAWL_FETCH_BACKOFF_MAX": "60",
            "SYNDICRAWL_FETCH_SHUTDOWN_GRACE_SECONDS": "1",
        }
        proc = subprocess.Popen(
            argv(sites, output, slow),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=workdir,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            start_new_session=True,  # its own process group, signalled as a terminal would
        )
        try:
            wait_for(
                lambda: (
                    server.requests["/f/drip.html"] >= 1
                    and server.requests["/f/down.html"] >= 1
                    and sum(server.requests[p] for p in HEALTHY_PAGES) >= 2
                ),
                120,
                proc,
            )
            sigint_at = time.monotonic()
            os.killpg(proc.pid, signal.SIGINT)
            _out, err = proc.communicate(timeout=120)
            sigint_to_exit = time.monotonic() - sigint_at
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        first = Crawl(
            proc.returncode, err, sigint_to_exit, latest_stats(output), read_records(output)
        )
        after_sigint = server.arrived_after(sigint_at, HEALTHY_PAGES)
        (sites / "stop-lab.yaml").write_text(  # the same site, without the slow pace
            server.lab_yaml(
                "stop-lab",
                HEALTHY_PAGES,
                first=["/f/drip.html", "/f/down.html"],
                concurrency=2,
                delay=0.25,
            ),
            encoding="utf-8",
        )
        finish = run(
            sites,
            output,
            {
                "DOWNLOAD_TIMEOUT": str(TIMEOUT),
                "RETRY_TIMES": "1",
                "SYNDICRAWL_FETCH_BACKOFF_BASE": "0.1",
                "SYNDICRAWL_FETCH_BACKOFF_MAX": "0.3",
            },
        )
        return Interrupted(first, after_sigint, sigint_to_exit, finish, Counter(server.requests))


def test_sigint_ends_the_crawl_within_a_bounded_time(interrupted: Interrupted) -> None:
    first = interrupted.first
    assert first.stats.get("finish_reason") == "shutdown", first.stderr[-3000:]
    assert first.returncode == 1  # ended early: a failed run, with its stats document
    # Grace 1 s, learning wait 1 s, the export: far below the drip's 60 s timeout and the
    # 500 page's 30-60 s backoff that an unbounded close waited for.
    assert interrupted.sigint_to_exit < 20, first.stderr[-3000:]


def test_queued_requests_are_not_fetched_after_sigint(interrupted: Interrupted) -> None:
    first = interrupted.first
    stats = first.stats
    assert stats.get("syndicrawl/fetch/cancelled_at_shutdown_count/unsent", 0) >= 1, stats
    assert stats.get("syndicrawl/fetch/cancelled_at_shutdown_count/cut", 0) == 1  # the drip
    assert stats.get("syndicrawl/fetch/cancelled_at_shutdown_count/retry", 0) == 1  # the 500
    # At most the pages already on their way when the signal came (concurrency 2, delay 1 s).
    assert len(interrupted.after_sigint) <= 3, interrupted.after_sigint
    # Cancelled requests are not failures of the site.
    assert not any(k.startswith("syndicrawl/fetch/failed_count/") for k in stats), stats


def test_what_was_done_is_exported_once_and_the_rest_next_run(interrupted: Interrupted) -> None:
    first, finish = interrupted.first, interrupted.finish
    before = exported_paths(first.records)
    assert before, "nothing exported before the SIGINT"
    assert all(n == 1 for n in before.values()), before
    assert set(before) < set(HEALTHY_PAGES)  # interrupted: some were left
    assert finish.returncode == 0, finish.stderr[-3000:]
    every = exported_paths(finish.records)  # both runs' parts
    assert set(every) == set(HEALTHY_PAGES)
    assert all(n == 1 for n in every.values()), every
    for path in before:
        assert interrupted.requests[path] == 1, f"{path} was exported and fetched again"
