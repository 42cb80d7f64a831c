from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syndicrawl_tools.demo.rebase import write_site_files
from syndicrawl_tools.demo.server import DemoWeb
from tests.conftest import REPO_ROOT, crawl_argv


def read_records(output: Path) -> list[dict[str, Any]]:
    records = []
    for part in sorted(output.glob("articles/dt=*/site=*/part-*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    return records


def crawl(
    sites_dir: Path,
    output: Path,
    *extra: str,
    timeout: float = 300,
    pythonpath: tuple[Path, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """``syndicrawl crawl`` in a subprocess (one reactor per crawl); ``pythonpath`` goes ahead of
    the repo's (a test's ``sitecustomize``)."""
    return subprocess.run(
        crawl_argv(
            sites_dir,
            output,
            "--set",
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
            "--set",
            "LOG_LEVEL=WARNING",
            "--json",
            *extra,
        ),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=output.parent,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (*pythonpath, REPO_ROOT)))},
    )


@pytest.fixture
def demo_web(tmp_path: Path) -> Iterator[tuple[DemoWeb, Path]]:
    """A demo web served from this process, and a folder of site files pointed at it."""
    with DemoWeb() as web:
        yield web, write_site_files(web.base_urls, tmp_path / "sites")
