"""Shared test set-up: no proxies, no internet (pytest-socket allows 127.0.0.1 only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# A proxy from the environment would send local test traffic elsewhere.
for _name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_name, None)

REPO_ROOT = Path(__file__).resolve().parent.parent


def crawl_argv(sites: Path, output: Path | str, *extra: str) -> list[str]:
    """``syndicrawl crawl --sites SITES --output OUTPUT EXTRA...`` as a subprocess command line."""
    return [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--sites",
        str(sites),
        "--output",
        str(output),
        *extra,
    ]


@pytest.fixture
def run_cli(tmp_path: Path):
    """Run ``syndicrawl ARGS`` in a subprocess (one reactor per crawl); returns CompletedProcess."""
    import subprocess

    def run(
        *args: str, timeout: float = 300, env: dict[str, str] | None = None, cwd: Path | None = None
    ):
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd or tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        )

    return run
