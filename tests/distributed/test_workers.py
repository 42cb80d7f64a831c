"""Two and three ``syndicrawl crawl --redis`` worker processes crawl the demo web together.

Checked against the demo web's own request log and truth: every article fetched exactly once
(two workers), every record exported exactly once under one manifest, every republication linked
to its true original; with three workers, one SIGKILLed mid-crawl, the run still completes with
every record exported once.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.demo.truth import DemoTruth, load_truth
from tests.conftest import REPO_ROOT
from tests.distributed.workers import (
    DemoServer,
    all_part_records,
    manifest_records,
    rebased_sites,
    start_demo_server,
    start_worker,
    worker_command,
)

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

RUN_ID = "20261127T090000Z-d15717"
WORKER_TIMEOUT = 240


@pytest.fixture
def demo(tmp_path: Path, redis_client: Any) -> Iterator[DemoServer]:
    server = start_demo_server(tmp_path)
    yield server
    server.stop()


def key(site: str, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return site, parts.path + (f"?{parts.query}" if parts.query else "")


def wait_all(workers: dict[str, subprocess.Popen[bytes]], workdir: Path) -> dict[str, int]:
    codes = {}
    for name, process in workers.items():
        try:
            codes[name] = process.wait(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            for other in workers.values():
                other.kill()
            pytest.fail(f"worker {name} did not finish: {(workdir / f'{name}.err').read_text()[-3000:]}")
    return codes


def summary(workdir: Path, name: str) -> dict[str, Any]:
    lines = (workdir / f"{name}.out").read_text().strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def check_export(output: Path, truth: DemoTruth) -> list[dict[str, Any]]:
    """One complete manifest, no orphan parts, one record per demo article, verify passes."""
    manifests, records = manifest_records(output)
    assert len(manifests) == 1, [m["run_id"] for m in manifests]
    manifest = manifests[0]
    assert manifest["run_id"] == RUN_ID and manifest["complete"] is True
    listed = {entry["key"] for entry in manifest["files"]}
    on_disk = {p.relative_to(output).as_posix() for p in output.glob("articles/**/part-*")}
    assert on_disk == listed, f"parts no manifest lists: {sorted(on_disk - listed)}"
    assert len(all_part_records(output)) == len(records)
    counts = Counter(key(r["site"], r["url"]) for r in records)
    assert {k: n for k, n in counts.items() if n > 1} == {}, "records exported more than once"
    expected = {(a.site, a.path) for a in truth.articles}
    assert set(counts) - expected == set(), "records for pages that are not demo articles"
    assert expected - set(counts) == set(), "demo articles with no record"
    assert {r["run_id"] for r in records} == {RUN_ID}
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "verify", str(output), "--json"],
        capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
    report = json.loads(verify.stdout.strip().splitlines()[-1])
    assert report["records"] == len(truth.articles) and report["orphans"] == []
    return records


def test_two_workers_crawl_the_demo_web_once(tmp_path: Path, demo: DemoServer, prefix: str, redis_client: Any) -> None:
    started = datetime.now().astimezone()
    sites = rebased_sites(demo.base_urls, tmp_path / "sites")
    output = tmp_path / "out"
    workers = {
        name: start_worker(
            worker_command(sites, output, tmp_path / f"state-{name}", prefix, RUN_ID, name), tmp_path, name
        )
        for name in ("wa", "wb")
    }
    codes = wait_all(workers, tmp_path)
    assert codes == {"wa": 0, "wb": 0}, {n: (tmp_path / f"{n}.err").read_text()[-2000:] for n in workers}
    truth = load_truth(start_time=started)

    # The demo web's own log: each article fetched exactly once, by one worker or the other.
    fetched = Counter((r["site"], r["path"]) for r in demo.requests() if r["method"] == "GET")
    articles = {(a.site, a.path) for a in truth.articles}
    assert {k: fetched[k] for k in articles if fetched[k] != 1} == {}
    for site, paths in truth.disallowed.items():
        assert not any((site, path) in fetched for path in paths), "robots.txt disallowed page fetched"

    records = check_export(output, truth)
    workers_in_parts = {re.search(r"_([a-z0-9-]+)-\d{5}\.jsonl", r)[1] for r in  # type: ignore[index]
                        (p.name for p in output.glob("articles/**/part-*"))}
    assert workers_in_parts == {"wa", "wb"}, "both workers should have exported records"
    shares = {name: summary(tmp_path, name)["totals"]["pages_fetched"] for name in workers}
    assert all(shares.values()), shares

    # A republication found by one worker is linked to the original found by the other.
    by_key = {key(r["site"], r["url"]): r for r in records}
    wrong = []
    for article in truth.with_status("republication"):
        link = by_key[(article.site, article.path)]["syndication"]
        assert article.original is not None
        original_site, original_path = article.original
        got = (link["status"], link["original_site"], key(original_site, link["original_url"] or "")[1] if link["original_url"] else None)
        if got != ("republication", original_site, original_path):
            wrong.append(f"{article.site}{article.path}: got {got}, want {original_site}{original_path}")
    assert not wrong, "\n".join(wrong)

    # Shared state lives under the run's prefix: the seen-store and the syndication index too.
    assert redis_client.hlen(f"{prefix}:seen") >= len(articles)
    assert any(redis_client.scan_iter(match=f"{prefix}:syn:*", count=1000))


def _slowed(sites: Path, delay: float) -> None:
    for path in sites.glob("*.yaml"):
        text = re.sub(r"(?m)^politeness:.*$", f"politeness: {{concurrency: 1, delay: {delay}}}", path.read_text())
        path.write_text(text)


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path: Path, demo: DemoServer, prefix: str) -> None:
    started = datetime.now().astimezone()
    sites = rebased_sites(demo.base_urls, tmp_path / "sites")
    _slowed(sites, 0.4)  # long enough to kill a worker in the middle
    output = tmp_path / "out"

    def command(name: str) -> list[str]:
        cmd = worker_command(sites, output, tmp_path / f"state-{name}", prefix, RUN_ID, name)
        return [*cmd, "--set", "LOG_LEVEL=DEBUG"] if name == "victim" else cmd

    workers = {name: start_worker(command(name), tmp_path, name) for name in ("wa", "wb", "victim")}
    victim_log = tmp_path / "victim.err"
    deadline = time.monotonic() + 120
    while victim_log.read_text(errors="replace").count("Scraped from <200") < 2:
        assert workers["victim"].poll() is None, "the victim finished before it could be killed"
        assert time.monotonic() < deadline, "the victim never scraped two articles"
        time.sleep(0.05)
    workers["victim"].send_signal(signal.SIGKILL)
    workers["victim"].wait(timeout=10)

    codes = wait_all({n: p for n, p in workers.items() if n != "victim"}, tmp_path)
    assert codes == {"wa": 0, "wb": 0}, {n: (tmp_path / f"{n}.err").read_text()[-2000:] for n in codes}
    truth = load_truth(start_time=started)
    check_export(output, truth)
    # The victim's in-flight requests went back to the queue and the others crawled them.
    requeued = sum(int(summary(tmp_path, n).get("distributed", {}).get("exported_records", 0)) for n in ("wa",))
    assert requeued == len(truth.articles)
    fetched = Counter((r["site"], r["path"]) for r in demo.requests() if r["method"] == "GET")
    assert all(fetched[(a.site, a.path)] >= 1 for a in truth.articles)
    log = "".join((tmp_path / f"{n}.err").read_text(errors="replace") for n in ("wa", "wb"))
    assert "worker victim stopped beating" in log
