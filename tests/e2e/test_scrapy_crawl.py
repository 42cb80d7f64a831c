"""Scrapy habits: ``scrapy crawl news`` from the project root crawls the sites of ``-a sites_dir=DIR``
or of the ``SYNDICRAWL_SITES_DIR`` setting (``-s NAME=VALUE``), through the same pipeline and
export; with no sites it says so in one line and exits 2, never with a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import read_records

pytestmark = pytest.mark.e2e


def scrapy_crawl(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SYNDICRAWL_SITES_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,  # scrapy.cfg names crawler.settings
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
    )


def article_requests(web: DemoWeb, since: int) -> list[tuple[str, str]]:
    articles = {(a.site, a.path) for a in web.truth().articles}
    return [(r.site, r.path) for r in web.requests[since:] if (r.site, r.path) in articles]


def test_no_sites_is_one_line_and_status_2() -> None:
    proc = scrapy_crawl()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("scrapy crawl news:")]
    assert "-a sites_dir=DIR" in line and "SYNDICRAWL_SITES_DIR" in line


def test_a_bad_sites_dir_is_one_line_and_status_2(tmp_path: Path) -> None:
    proc = scrapy_crawl("-a", f"sites_dir={tmp_path / 'missing'}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"scrapy crawl news: {tmp_path / 'missing'}: field '--sites'" in proc.stderr


def test_a_bad_setting_is_one_line_and_status_2(tmp_path: Path) -> None:
    proc = scrapy_crawl(
        "-a", f"sites_dir={tmp_path}", "-s", "SYNDICRAWL_FETCH_REQUEST_BUDGET=0", timeout=120
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("scrapy crawl news:")]
    assert line == (
        "scrapy crawl news: SYNDICRAWL_FETCH_REQUEST_BUDGET: bad value 0: expected an integer >= 1"
    )


def test_scrapy_crawl_news_with_sites_dir_then_the_setting(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path
) -> None:
    web, sites = demo_web
    settings = [
        "-s",
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
        "-s",
        f"SYNDICRAWL_OUTPUT_URI={tmp_path / 'out'}",
        "-s",
        f"SYNDICRAWL_STATE_DIR={tmp_path / 'state'}",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    first = scrapy_crawl("-a", f"sites_dir={sites}", *settings)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    truth = web.truth()
    records = read_records(tmp_path / "out")
    assert sorted((r["site"], r["url"].split("/", 3)[3]) for r in records) == sorted(
        (a.site, a.path.lstrip("/")) for a in truth.articles
    )
    rendered = [r for r in records if r["site"] in truth.js_rendered]
    assert rendered and all(r["text"] for r in rendered)  # the spider set up Chromium itself

    mark = len(web.requests)
    second = scrapy_crawl("-s", f"SYNDICRAWL_SITES_DIR={sites}", *settings)
    assert second.returncode == 0, second.stderr[-3000:]
    assert article_requests(web, mark) == []  # same state: every article known and unchanged
    assert any(r.path.endswith(".xml") for r in web.requests[mark:])
