"""Helpers of the multi-worker tests: the demo web in a subprocess, rebased site files, workers."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from syndicrawl_tools.demo import demo_sites_dir
from tests.conftest import REPO_ROOT, crawl_argv

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class DemoServer:
    process: subprocess.Popen[bytes]
    base_urls: dict[str, str]
    log: Path

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [
            json.loads(line)
            for line in self.log.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_demo_server(workdir: Path) -> DemoServer:
    port_file, log = workdir / "ports.json", workdir / "requests.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndicrawl_tools.demo.server",
            "--port-file",
            str(port_file),
            "--log",
            str(log),
        ],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    deadline = time.monotonic() + 30
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the demo server did not start")
        time.sleep(0.1)
    return DemoServer(process, json.loads(port_file.read_text())["sites"], log)


def rebased_sites(base_urls: dict[str, str], folder: Path) -> Path:
    """Copies of the demo site files with ``base_url`` and ``domains`` set to the served ports."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(demo_sites_dir().glob("*.yaml")):
        name = source.stem
        text = source.read_text(encoding="utf-8")
        netloc = urlsplit(base_urls[name]).netloc
        text = re.sub(r"(?m)^base_url:.*$", f"base_url: {base_urls[name]}", text)
        text = re.sub(r"(?m)^domains:.*$", "", text) + f'\ndomains: ["{netloc}"]\n'
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def worker_command(
    sites: Path, output: Path, state: Path, prefix: str, run_id: str, worker: str, *extra: str
) -> list[str]:
    return crawl_argv(
        sites,
        output,
        "--state-dir",
        str(state),
        "--redis",
        REDIS_URL,
        "--run-id",
        run_id,
        "--worker-id",
        worker,
        "--json",
        "--set",
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
        "--set",
        f"SYNDICRAWL_DISTRIBUTED_PREFIX={prefix}",
        "--set",
        "SYNDICRAWL_DISTRIBUTED_HEARTBEAT_SECONDS=1",
        "--set",
        "SYNDICRAWL_MONITOR_ENABLED=0",
        "--set",
        "LOG_LEVEL=INFO",
        *extra,
    )


def start_worker(command: list[str], workdir: Path, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=(workdir / f"{name}.out").open("wb"),
        stderr=(workdir / f"{name}.err").open("wb"),
    )


def manifest_records(output: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(manifests, records of the parts they list)."""
    manifests = [
        json.loads(p.read_text()) for p in sorted((output / "manifests").glob("run=*.json"))
    ]
    records = []
    for manifest in manifests:
        for entry in manifest["files"]:
            with gzip.open(output / entry["key"], "rt", encoding="utf-8") as fh:
                records.extend(json.loads(line) for line in fh if line.strip())
    return manifests, records


def all_part_records(output: Path) -> list[dict[str, Any]]:
    records = []
    for part in sorted(output.glob("articles/dt=*/site=*/part-*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    return records
