"""Pool workers that cannot start fail the run with its reason, instead of dropping every article;
the articles they dropped are fetched again by the next run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.e2e.conftest import crawl

pytestmark = pytest.mark.e2e

# Loaded by every Python process of the crawl (sitecustomize): the pool's worker loop exits at
# once, as a worker does that cannot import its libraries or is killed on start.
BROKEN_WORKER = """\
import os

import pipelines.runtime.pool


def exit_at_start(*args):
    os._exit(7)


pipelines.runtime.pool.serve = exit_at_start
"""


def test_workers_that_die_at_start_end_the_crawl_as_pool_broken(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path
) -> None:
    _, sites = demo_web
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BROKEN_WORKER)
    output = tmp_path / "out"
    proc = crawl(
        sites,
        output,
        "--set",
        "SYNDICRAWL_POOL_PROCESSES=2",
        "--set",
        "SYNDICRAWL_POOL_MAX_FAILED_STARTS=3",
        pythonpath=(hook,),
    )
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode != 0 and summary["exit_status"] != 0
    assert "crawl ended early: finish_reason=pool_broken" in summary["problems"]
    assert "3 worker processes in a row died before returning a result" in proc.stderr
    assert "exit code 7" in proc.stderr
    # no fourth worker was forked, and what reached the pool is a counted drop, not lost
    assert proc.stderr.count("a worker process died") == 2
    dropped = summary["drops"].get("WorkerCrashed", 0)
    assert dropped >= 1
    assert summary["totals"]["articles_exported"] == 0

    # the crawl failed, not the pages: the next run (workers healthy) fetches and exports them
    again = crawl(sites, output)
    assert again.returncode == 0, again.stderr[-3000:]
    totals = json.loads(again.stdout.strip().splitlines()[-1])["totals"]
    assert totals["skipped_unchanged"] == 0
    assert totals["articles_exported"] >= dropped
