"""The S3 store dies in the middle of a crawl of the demo web: the crawl finishes with a clear
error and a kept spool; after a restart, the next run uploads the leftovers, the store holds every
record exactly once, and ``syndicrawl export verify`` passes. A real ``moto_server`` process is
the store; boto3 reaches it over a socket."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.conftest import REPO_ROOT, crawl_argv
from tests.storage.conftest import _DUMMY_AWS, MotoServer, s3_client

pytestmark = [pytest.mark.e2e, pytest.mark.s3]


def crawl_command(sites: Path, output: str, state: Path, endpoint: str) -> list[str]:
    return crawl_argv(
        sites,
        output,
        "--state-dir",
        str(state),
        "--set",
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
        "--set",
        "SYNDICRAWL_EXPORT_BATCH_SIZE=1",
        "--set",
        "SYNDICRAWL_EXPORT_RETRIES=1",
        "--set",
        "SYNDICRAWL_EXPORT_BACKOFF_SECONDS=0.1",
        "--set",
        f"AWS_ENDPOINT_URL={endpoint}",
        "--set",
        "LOG_LEVEL=WARNING",
        "--json",
    )


def crawl_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {
        **env,
        **_DUMMY_AWS,
        "PYTHONPATH": str(REPO_ROOT),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def stored_records(endpoint: str, bucket: str) -> list[dict]:
    client = s3_client(endpoint)
    records = []
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="news/articles/"
    ):
        for obj in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            records.extend(
                json.loads(line) for line in gzip.decompress(body).splitlines() if line.strip()
            )
    return records


def test_store_killed_mid_crawl_then_everything_once(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, sites = demo_web
    for name, value in _DUMMY_AWS.items():
        monkeypatch.setenv(name, value)
    server = MotoServer()
    server.start()
    try:
        client = s3_client(server.endpoint_url)
        client.create_bucket(Bucket="demo")
        env, state = crawl_env(tmp_path), tmp_path / "state"
        proc = subprocess.Popen(
            crawl_command(sites, "s3://demo/news", state, server.endpoint_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            listed = client.list_objects_v2(Bucket="demo", Prefix="news/articles/").get(
                "KeyCount", 0
            )
            if listed >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before the store could be killed"
        server.stop()  # the store dies mid-crawl
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err[-3000:]
        assert "spool" in (out + err).lower()
        spool = state / "spool"
        assert any(spool.rglob("*.jsonl.gz")), "the spool must be kept"

        server.restart()  # a fresh, empty store on the same port
        s3_client(server.endpoint_url).create_bucket(Bucket="demo")
        again = subprocess.run(
            crawl_command(sites, "s3://demo/news", state, server.endpoint_url),
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        assert again.returncode == 0, again.stderr[-3000:]

        records = stored_records(server.endpoint_url, "demo")
        per_url = Counter(r["url"] for r in records)
        assert len(per_url) == len(web.truth().articles)
        assert set(per_url.values()) == {1}
        verify = subprocess.run(
            [
                sys.executable,
                "-m",
                "crawler",
                "export",
                "verify",
                "s3://demo/news",
                "--endpoint-url",
                server.endpoint_url,
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-2000:]
    finally:
        server.stop()


def test_demo_to_an_s3_endpoint_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``syndicrawl demo --output s3://...``: records, manifests and stats land in the store; the
    second run (state kept locally) skips every article as unchanged; --fresh wants an empty
    prefix."""
    for name, value in _DUMMY_AWS.items():
        monkeypatch.setenv(name, value)
    server = MotoServer()
    server.start()
    try:
        s3_client(server.endpoint_url).create_bucket(Bucket="demo")
        env = crawl_env(tmp_path)
        demo = [
            sys.executable,
            "-m",
            "crawler",
            "demo",
            "--output",
            "s3://demo/news",
            "--endpoint-url",
            server.endpoint_url,
            "--json",
        ]

        def run(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*demo, *extra],
                capture_output=True,
                text=True,
                env=env,
                cwd=tmp_path,
                timeout=300,
            )

        first, second = run(), run()
        assert first.returncode == 0, first.stderr[-3000:]
        assert second.returncode == 0, second.stderr[-3000:]
        records = stored_records(server.endpoint_url, "demo")
        assert len(records) == len({r["url"] for r in records}) > 0  # each article once
        summary = json.loads(second.stdout.strip().splitlines()[-1])
        assert summary["totals"]["skipped_unchanged"] == len(records)
        assert summary["totals"]["articles_exported"] == 0
        assert summary["output"] == "s3://demo/news"
        keys = [
            o["Key"]
            for o in s3_client(server.endpoint_url)
            .list_objects_v2(Bucket="demo", Prefix="news/")
            .get("Contents", [])
        ]
        assert sum(k.startswith("news/manifests/run=") for k in keys) == 2
        assert sum(k.endswith("/stats.json") for k in keys) == 2
        assert (tmp_path / "syndicrawl-state" / "demo-web.json").exists()  # the state stays local

        refused = run("--fresh")
        assert refused.returncode == 2 and "needs an empty prefix" in refused.stderr
        verify = subprocess.run(
            [
                sys.executable,
                "-m",
                "crawler",
                "export",
                "verify",
                "s3://demo/news",
                "--endpoint-url",
                server.endpoint_url,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-2000:]
    finally:
        server.stop()
