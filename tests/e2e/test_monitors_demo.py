"""Health monitors on real crawls of the demo web: one site answering 500s and another whose
layout changed are both named, the exit status is non-zero, and the report shows them; a healthy
crawl passes every monitor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import crawl

pytestmark = pytest.mark.e2e


def run_documents(state: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((state / "runs").glob("run=*.json"))]


def report(state: Path, out: Path) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "report",
            "--state-dir",
            str(state),
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def failed(document: dict) -> set[tuple[str, str]]:
    monitors = document["monitors"]
    return {(m["monitor"], m["site"]) for m in monitors if not m["passed"]}


def test_failing_site_and_broken_layout_are_named(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path
) -> None:
    web, sites = demo_web
    web.set_failure("harbor-times", 500)
    web.break_layout("el-faro")
    output = tmp_path / "out"
    result = crawl(sites, output)
    assert result.returncode == 1, result.stderr[-3000:]
    for site in ("harbor-times", "el-faro"):
        assert any(
            site in line and "Monitor failed" in line for line in result.stderr.splitlines()
        ), site
    (document,) = run_documents(output / ".state")
    names = failed(document)
    assert {site for _, site in names} >= {"harbor-times", "el-faro"}
    assert all(site in ("harbor-times", "el-faro", None) for _, site in names), names
    figures = report(output / ".state", tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "harbor-times" in html and "el-faro" in html
    assert json.dumps(figures).count("harbor-times") and json.dumps(figures).count("el-faro")


def test_healthy_crawl_passes_every_monitor(demo_web: tuple[DemoWeb, Path], tmp_path: Path) -> None:
    _, sites = demo_web
    output = tmp_path / "out"
    result = crawl(sites, output)
    assert result.returncode == 0, result.stderr[-3000:]
    (document,) = run_documents(output / ".state")
    assert failed(document) == set()
    monitors = document["monitors"]
    assert monitors, "the monitors must have run"
