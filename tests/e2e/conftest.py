from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from syndicrawl_tools.demo.rebase import write_site_files
from syndicrawl_tools.demo.server import DemoWeb
from syndicrawl_tools.demo.truth import DemoTruth
from tests.conftest import REPO_ROOT, crawl_argv


def record_key(site: str, url: str) -> tuple[str, str]:
    """(site, path?query): how the demo's truth names an article."""
    parts = urlsplit(url)
    return site, parts.path + (f"?{parts.query}" if parts.query else "")


def misattributed_copies(
    records: dict[tuple[str, str], dict[str, Any]], truth: DemoTruth, *, require_all: bool
) -> list[str]:
    """The truth's republications whose record is not linked to their true original, one line
    each; ``require_all``: a republication without a record is an error too."""
    wrong = []
    for article in truth.with_status("republication"):
        record = records.get((article.site, article.path))
        if record is None:
            assert not require_all, f"no record of {article.site}{article.path}"
            continue
        assert article.original is not None
        link = record["syndication"]
        original_site, original_path = article.original
        got = (
            link["status"],
            link["original_site"],
            record_key(original_site, link["original_url"])[1] if link["original_url"] else None,
        )
        if got != ("republication", original_site, original_path):
            wrong.append(
                f"{article.site}{article.path}: got {got}, want {original_site}{original_path}"
            )
    return wrong


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
