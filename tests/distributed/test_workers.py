"""Two and three ``syndicrawl crawl --redis`` worker processes crawl the demo web together.

Checked against the demo web's own request log and truth: every article fetched exactly once
(two workers), every record exported exactly once under one manifest, every republication linked
to its true original; with three workers, one SIGKILLed mid-crawl, the run still completes with
every record exported once.
"""

from __future__ import annotations

import json
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from syndicrawl_tools.demo.truth import DemoTruth, load_truth
from tests.conftest import REPO_ROOT
from tests.distributed.workers import (
    REDIS_URL,
    DemoServer,
    all_part_records,
    manifest_records,
    rebased_sites,
    start_demo_server,
    start_worker,
    worker_command,
)
from tests.e2e.conftest import misattributed_copies, record_key

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

RUN_ID = "20261127T090000Z-d15717"
WORKER_TIMEOUT = 240


@pytest.fixture
def demo(tmp_path: Path, redis_client: Any) -> Iterator[DemoServer]:
    server = start_demo_server(tmp_path)
    yield server
    server.stop()


def wait_all(workers: dict[str, subprocess.Popen[bytes]], workdir: Path) -> dict[str, int]:
    codes = {}
    for name, process in workers.items():
        try:
            codes[name] = process.wait(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            for other in workers.values():
                other.kill()
            pytest.fail(
                f"worker {name} did not finish: {(workdir / f'{name}.err').read_text()[-3000:]}"
            )
    return codes


def summary(workdir: Path, name: str) -> dict[str, Any]:
    lines = (workdir / f"{name}.out").read_text().strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def check_export(output: Path, truth: DemoTruth) -> list[dict[str, Any]]:
    """One complete manifest, no orphan parts, one record per demo article, verify passes."""
    manifests, records = manifest_records(output)
    assert len(manifests) == 1, [m["run_id"] for m in manifests]
    manifest = manifests[0]
    assert manifest["complete"] is True
    listed = {entry["key"] for entry in manifest["files"]}
    on_disk = {p.relative_to(output).as_posix() for p in output.glob("articles/**/part-*")}
    assert on_disk == listed, f"parts no manifest lists: {sorted(on_disk - listed)}"
    assert len(all_part_records(output)) == len(records)
    counts = Counter(record_key(r["site"], r["url"]) for r in records)
    assert {k: n for k, n in counts.items() if n > 1} == {}, "records exported more than once"
    expected = {(a.site, a.path) for a in truth.articles}
    assert set(counts) - expected == set(), "records for pages that are not demo articles"
    assert expected - set(counts) == set(), "demo articles with no record"
    assert {r["run_id"] for r in records} == {manifest["run_id"]}
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "export", "verify", str(output), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
    report = json.loads(verify.stdout.strip().splitlines()[-1])
    assert report["records"] == len(truth.articles) and report["orphans"] == []
    return records


@dataclass
class TwoWorkerRun:
    workdir: Path
    output: Path
    prefix: str
    codes: dict[str, int]
    requests: list[dict[str, Any]]
    truth: DemoTruth


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkerRun]:
    """One crawl of the demo web by two worker processes, shared by the tests below."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # pragma: no cover
        pytest.skip(f"no Redis on {REDIS_URL}: {exc}")
    workdir = tmp_path_factory.mktemp("two-workers")
    prefix = f"syndicrawl-test-{secrets.token_hex(4)}"
    server = start_demo_server(workdir)
    try:
        started = datetime.now().astimezone()
        sites = rebased_sites(server.base_urls, workdir / "sites")
        # A crawl long enough for both workers to be up (each starts its own process pool).
        _slowed(sites, 0.2)
        output = workdir / "out"
        workers = {
            name: start_worker(
                worker_command(sites, output, workdir / f"state-{name}", prefix, RUN_ID, name),
                workdir,
                name,
            )
            for name in ("wa", "wb")
        }
        codes = wait_all(workers, workdir)
        yield TwoWorkerRun(
            workdir, output, prefix, codes, server.requests(), load_truth(start_time=started)
        )
    finally:
        server.stop()
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def test_both_workers_finish_and_share_the_work(two_workers: TwoWorkerRun) -> None:
    run = two_workers
    assert run.codes == {"wa": 0, "wb": 0}, {
        n: (run.workdir / f"{n}.err").read_text()[-2000:] for n in run.codes
    }
    shares = {name: summary(run.workdir, name)["totals"]["pages_fetched"] for name in run.codes}
    assert all(shares.values()), f"one worker fetched nothing: {shares}"
    workers_in_parts = {
        m[1]
        for p in run.output.glob("articles/**/part-*")
        if (m := re.search(r"_([a-z0-9-]+)-\d{5}\.jsonl", p.name))
    }
    assert workers_in_parts == {"wa", "wb"}, "both workers should have exported records"


def test_every_article_fetched_exactly_once(two_workers: TwoWorkerRun) -> None:
    fetched = Counter((r["site"], r["path"]) for r in two_workers.requests if r["method"] == "GET")
    articles = {(a.site, a.path) for a in two_workers.truth.articles}
    assert {k: fetched[k] for k in articles if fetched[k] != 1} == {}
    for site, paths in two_workers.truth.disallowed.items():
        assert not [p for p in paths if (site, p) in fetched], "robots.txt disallowed page fetched"


def test_every_record_exported_once_under_one_manifest(two_workers: TwoWorkerRun) -> None:
    check_export(two_workers.output, two_workers.truth)


def test_every_republication_linked_across_workers(two_workers: TwoWorkerRun) -> None:
    """A republication found by one worker is linked to the original found by the other."""
    _, records = manifest_records(two_workers.output)
    by_key = {record_key(r["site"], r["url"]): r for r in records}
    wrong = misattributed_copies(by_key, two_workers.truth, require_all=True)
    assert not wrong, "\n".join(wrong)


def test_shared_state_lives_under_the_prefix(two_workers: TwoWorkerRun) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = two_workers.prefix
    assert client.hlen(f"{prefix}:seen") >= len(two_workers.truth.articles), "the Redis seen-store"
    assert any(client.scan_iter(match=f"{prefix}:syn:*", count=1000)), "the Redis syndication index"
    assert client.get(f"{prefix}:run:{RUN_ID}:finalized") is not None
    assert client.get(f"{prefix}:current-run") is None, "a finalized run is no longer current"


def _slowed(sites: Path, delay: float) -> None:
    for path in sites.glob("*.yaml"):
        text = re.sub(
            r"(?m)^politeness:.*$",
            f"politeness: {{concurrency: 1, delay: {delay}}}",
            path.read_text(),
        )
        path.write_text(text)


def test_a_worker_killed_mid_crawl_loses_nothing(
    tmp_path: Path, demo: DemoServer, prefix: str
) -> None:
    started = datetime.now().astimezone()
    sites = rebased_sites(demo.base_urls, tmp_path / "sites")
    _slowed(sites, 0.4)  # long enough to kill a worker in the middle
    output = tmp_path / "out"

    def command(name: str) -> list[str]:
        cmd = worker_command(sites, output, tmp_path / f"state-{name}", prefix, RUN_ID, name)
        return [*cmd, "--set", "LOG_LEVEL=DEBUG"] if name == "victim" else cmd

    # The victim starts first, so it surely holds work when it dies; the others join the run.
    workers = {"victim": start_worker(command("victim"), tmp_path, "victim")}
    victim_log = tmp_path / "victim.err"
    deadline = time.monotonic() + 120
    while victim_log.read_text(errors="replace").count("Scraped from <200") < 2:
        assert workers["victim"].poll() is None, "the victim finished before it could be killed"
        assert time.monotonic() < deadline, "the victim never scraped two articles"
        time.sleep(0.05)
    workers.update({name: start_worker(command(name), tmp_path, name) for name in ("wa", "wb")})
    workers["victim"].send_signal(signal.SIGKILL)
    workers["victim"].wait(timeout=10)

    codes = wait_all({n: p for n, p in workers.items() if n != "victim"}, tmp_path)
    assert codes == {"wa": 0, "wb": 0}, {
        n: (tmp_path / f"{n}.err").read_text()[-2000:] for n in codes
    }
    truth = load_truth(start_time=started)
    check_export(output, truth)
    # The victim's in-flight requests went back to the queue and the others crawled them.
    # The worker that finished last saw every record of the run stored (the other may have left earlier).
    assert max(
        summary(tmp_path, n)["distributed"]["exported_records"] for n in ("wa", "wb")
    ) == len(truth.articles)
    fetched = Counter((r["site"], r["path"]) for r in demo.requests() if r["method"] == "GET")
    assert all(fetched[(a.site, a.path)] >= 1 for a in truth.articles)
    log = "".join((tmp_path / f"{n}.err").read_text(errors="replace") for n in ("wa", "wb"))
    assert "worker victim stopped beating" in log


def test_seed_job_then_a_joining_worker(tmp_path: Path, demo: DemoServer, prefix: str) -> None:
    """The Kubernetes flow: ``--seed-only`` starts a run, a ``--join`` worker crawls and finalizes it."""
    started = datetime.now().astimezone()
    sites = rebased_sites(demo.base_urls, tmp_path / "sites")
    output = tmp_path / "out"

    def command(name: str, *extra: str) -> list[str]:
        cmd = worker_command(
            sites, output, tmp_path / f"state-{name}", prefix, "unused", name, *extra
        )
        at = cmd.index("--run-id")
        return cmd[:at] + cmd[at + 2 :]  # the run id comes from Redis

    codes = wait_all(
        {"seeder": start_worker(command("seeder", "--seed-only"), tmp_path, "seeder")}, tmp_path
    )
    assert codes == {"seeder": 0}, (tmp_path / "seeder.err").read_text()[-2000:]
    seeded = summary(tmp_path, "seeder")["distributed"]
    assert seeded["seed_only"] and seeded["manifest"] is None
    assert summary(tmp_path, "seeder")["totals"]["pages_fetched"] == 0, (
        "the seed job crawls nothing"
    )
    codes = wait_all(
        {"joiner": start_worker(command("joiner", "--join", "--wait", "5"), tmp_path, "joiner")},
        tmp_path,
    )
    assert codes == {"joiner": 0}, (tmp_path / "joiner.err").read_text()[-2000:]
    joined = summary(tmp_path, "joiner")["distributed"]
    assert (
        joined["run_id"] == seeded["run_id"]
        and joined["manifest"] == f"manifests/run={seeded['run_id']}.json"
    )
    manifests, records = manifest_records(output)
    assert len(manifests) == 1 and manifests[0]["complete"]
    assert len(records) == len(load_truth(start_time=started).articles)
    # The run is finalized: a later --join worker finds nothing to do.
    late = subprocess.run(
        command("late", "--join"),
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert late.returncode == 0 and "no run to join" in late.stderr
