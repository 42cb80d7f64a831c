"""Settings in the environment reach a real crawl: the address guard's allow list (the guard's own
warning names the variable), the output and the state dir; ``--set`` still wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import read_records
from tests.faults.server import HEALTHY, FaultServer

pytestmark = pytest.mark.e2e


def crawl(sites: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICRAWL_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--sites", str(sites), "--json", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=sites.parent,
        env={
            **clean,
            "SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS": "1",
            **env,
            "PYTHONPATH": str(REPO_ROOT),
        },
    )


def lab(server: FaultServer, workdir: Path) -> Path:
    sites = workdir / "sites"
    sites.mkdir()
    (sites / "env-lab.yaml").write_text(
        server.lab_yaml("env-lab", HEALTHY, concurrency=4, delay=0), encoding="utf-8"
    )
    return sites


def test_allow_list_output_and_state_dir_from_the_environment(tmp_path: Path) -> None:
    output, state = tmp_path / "from-env-out", tmp_path / "from-env-state"
    with FaultServer(tmp_path, million=10) as server:
        proc = crawl(
            lab(server, tmp_path),
            {
                "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1",
                "SYNDICRAWL_OUTPUT_URI": str(output),
                "SYNDICRAWL_STATE_DIR": str(state),
            },
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {urlsplit(r["url"]).path for r in read_records(output)} == set(HEALTHY)
    assert list((state / "runs").glob("run=*.json")), "the run document is not in the state dir"
    assert not (output / ".state").exists()


def test_set_wins_over_the_environment(tmp_path: Path) -> None:
    with FaultServer(tmp_path, million=10) as server:
        proc = crawl(
            lab(server, tmp_path),
            {"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1"},
            "--output",
            str(tmp_path / "out"),
            "--set",
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=10.0.0.1",
        )
        served = sum(server.requests.values())
    assert served == 0, proc.stderr[-3000:]
    document = json.loads(
        next((tmp_path / "out" / ".state" / "runs").glob("run=*.json")).read_text("utf-8")
    )
    assert document.get("stats", document).get("syndicrawl/fetch/refused_address_count", 0) >= 1
    assert "allow it with SYNDICRAWL_FETCH_ALLOWED_ADDRESSES" in proc.stderr
