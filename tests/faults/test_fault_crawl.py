"""A crawl of the fault server: every fault is a bounded, counted outcome with its reason in the
run's stats document, the crawl goes on, memory stays bounded, and every healthy page (and every
page whose fault can be recovered from, mislabelled encodings included) is exported with its text."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT, crawl_argv
from tests.e2e.conftest import read_records
from tests.faults import pages
from tests.faults.server import FAULTS, HEALTHY, RECOVERED, RECOVERED_STATS, FaultServer

pytestmark = pytest.mark.e2e

# Short timeouts and retries, a size cap far below the 50 MB page, memory sampled often.
SETTINGS = {
    "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": "2",
    "SYNDICRAWL_FETCH_BACKOFF_BASE": "0.1",
    "SYNDICRAWL_FETCH_BACKOFF_MAX": "0.3",
    "SYNDICRAWL_FETCH_MAX_RETRY_AFTER": "5",
    "DOWNLOAD_MAXSIZE": str(8 * 1024 * 1024),
    "DOWNLOAD_WARNSIZE": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS": "1",
    "MEMUSAGE_CHECK_INTERVAL_SECONDS": "0.5",
    # Half the site is broken on purpose: the error-rate monitor would (rightly) fail the run.
    "SYNDICRAWL_MONITOR_MAX_ERROR_RATE": "1",
}
MAX_MEMORY_BYTES = (
    700 * 1024 * 1024
)  # the bomb inflates to 256 MB, the big page is 50 MB, the sitemap ~60 MB


@dataclass
class FaultRun:
    returncode: int
    stderr: str
    seconds: float
    stats: dict[str, Any]
    records: list[dict[str, Any]]
    requests: Counter[str]


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    workdir = tmp_path_factory.mktemp("faults")
    with FaultServer(workdir) as server:
        sites = workdir / "sites"
        sites.mkdir()
        (sites / "fault-lab.yaml").write_text(server.site_yaml(), encoding="utf-8")
        output = workdir / "out"
        args = crawl_argv(sites, output, "--json")
        for name, value in SETTINGS.items():
            args += ["--set", f"{name}={value}"]
        started = time.monotonic()
        proc = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=workdir,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        seconds = time.monotonic() - started
        documents = sorted((output / ".state" / "runs").glob("run=*.json"))
        assert documents, f"no stats document: {proc.stderr[-3000:]}"
        document = json.loads(documents[-1].read_text(encoding="utf-8"))
        return FaultRun(
            proc.returncode,
            proc.stderr,
            seconds,
            document.get("stats", document),
            read_records(output),
            Counter(server.requests),
        )


def test_crawl_finishes_in_bounded_time_and_memory(fault_run: FaultRun) -> None:
    assert fault_run.returncode == 0, fault_run.stderr[-3000:]
    assert fault_run.stats.get("finish_reason") == "finished"
    assert fault_run.seconds < 90
    assert 0 < fault_run.stats["memusage/max"] < MAX_MEMORY_BYTES


@pytest.mark.parametrize("fault", FAULTS, ids=[f.path for f in FAULTS])
def test_every_fault_is_counted_with_its_reason(fault_run: FaultRun, fault: Any) -> None:
    key = f"syndicrawl/{fault.expect}"
    assert fault_run.stats.get(key, 0) >= 1, (
        f"{fault.what} ({fault.path}): {key} not counted; fetch/discovery stats: "
        + json.dumps(
            {
                k: v
                for k, v in fault_run.stats.items()
                if "/fetch/" in k or ("/discovery/" in k and "/site/" not in k)
            }
        )
    )
    exported = {urlsplit(r["url"]).path for r in fault_run.records}
    assert fault.path not in exported


def test_every_final_failure_is_in_the_errback_reasons(fault_run: FaultRun) -> None:
    # One final outcome per broken article page: no silent loss.
    failed = sum(
        v for k, v in fault_run.stats.items() if k.startswith("syndicrawl/fetch/failed_count/")
    )
    dropped = fault_run.stats.get("item_dropped_count", 0)
    broken_pages = [f for f in FAULTS if f.path.startswith("/f/")]
    assert failed + dropped == len(broken_pages)


def test_healthy_and_recovered_pages_are_all_exported_once(fault_run: FaultRun) -> None:
    paths = Counter(urlsplit(r["url"]).path for r in fault_run.records)
    expected = set(HEALTHY) | set(RECOVERED)
    assert set(paths) == expected
    assert all(n == 1 for n in paths.values()), paths


@pytest.mark.parametrize("path", sorted(RECOVERED_STATS))
def test_recovered_faults_are_counted(fault_run: FaultRun, path: str) -> None:
    assert fault_run.stats.get(f"syndicrawl/{RECOVERED_STATS[path]}", 0) >= 1, RECOVERED_STATS[path]


@pytest.mark.parametrize("slug", [s[0] for s in pages.ENCODED_STORIES])
def test_mislabelled_encodings_come_out_right(fault_run: FaultRun, slug: str) -> None:
    _slug, _codec, _label, title, paragraphs = next(
        s for s in pages.ENCODED_STORIES if s[0] == slug
    )
    record = next(r for r in fault_run.records if urlsplit(r["url"]).path == f"/f/{slug}.html")
    assert record["title"] == title
    for paragraph in paragraphs:
        assert paragraph in record["text"]
    assert "\ufffd" not in record["text"]


def test_million_url_sitemap_adds_no_requests(fault_run: FaultRun) -> None:
    mass = [path for path in fault_run.requests if path.startswith("/a/mass-")]
    assert mass == []
    assert sum(fault_run.requests.values()) < 100


def test_sitemap_index_loop_is_fetched_once(fault_run: FaultRun) -> None:
    assert fault_run.requests["/sitemap-index-loop.xml"] == 1
    assert fault_run.requests["/sitemap.xml"] == 1
