"""``syndicrawl demo`` run as a new user would, from an empty folder with the default output:
the first run crawls everything; the second serves the same demo web again (same clock, same
ports) and shows every article skipped as unchanged; ``runs`` and ``report`` list both runs; the
README's DuckDB query, exactly as printed, reads the output; ``--fresh`` starts over.

The second run's stderr is a pseudo-terminal: it must draw the progress bar in place and show no
Scrapy log."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from syndicrawl_tools.demo.truth import DemoTruth, load_truth
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

README = REPO_ROOT / "README.md"
OUTPUT_DOC = REPO_ROOT / "docs" / "output.md"
CLEAR_LINE = "\r\x1b[K"
SCRAPY_LOG_LINE = re.compile(r"\[scrapy[.\w]*\] (INFO|DEBUG)|Dumping Scrapy stats")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads(self.stdout.strip().splitlines()[-1])


def syndicrawl(workdir: Path, *args: str, terminal: bool = False, timeout: float = 300) -> Run:
    """``syndicrawl ARGS`` in ``workdir``; with ``terminal``, stderr is a pseudo-terminal."""
    command = [sys.executable, "-m", "crawler", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if not terminal:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=workdir, env=env
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while it runs: a full pty buffer would block the crawl
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            timeout=timeout,
            cwd=workdir,
            env=env,
        )
    finally:
        os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return Run(proc.returncode, proc.stdout, b"".join(chunks).decode("utf-8", "replace"))


def readme_query(path: Path) -> str:
    """The DuckDB query printed in ``path`` (its ```sql block), verbatim."""
    blocks = re.findall(r"```sql\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 1, f"{path.name}: expected one sql block"
    return blocks[0]


@dataclass
class Reruns:
    workdir: Path
    first: Run
    second: Run
    runs: dict[str, Any]
    report: dict[str, Any]
    truth: DemoTruth


@pytest.fixture(scope="module")
def reruns(tmp_path_factory: pytest.TempPathFactory) -> Reruns:
    workdir = tmp_path_factory.mktemp("newcomer")
    first = syndicrawl(workdir, "demo", "--json")
    assert first.returncode == 0, first.stderr[-3000:]
    second = syndicrawl(workdir, "demo", "--json", terminal=True)
    assert second.returncode == 0, second.stderr[-3000:]
    runs = syndicrawl(workdir, "runs", "--json")
    report = syndicrawl(workdir, "report", "--json")
    session = json.loads(
        (workdir / "syndicrawl-output" / ".state" / "demo-web.json").read_text(encoding="utf-8")
    )
    truth = load_truth(start_time=datetime.fromisoformat(session["start_time"]))
    return Reruns(workdir, first, second, runs.summary, report.summary, truth)


def test_second_run_skips_every_article_as_unchanged(reruns: Reruns) -> None:
    articles = len(reruns.truth.articles)
    assert reruns.first.summary["totals"]["articles_exported"] == articles
    totals = reruns.second.summary["totals"]
    assert totals["skipped_unchanged"] == articles > 0
    assert totals["articles_exported"] == 0 and totals["pages_fetched"] == 0
    assert "unchanged" in reruns.second.stdout.splitlines()[2]  # the table's header


def test_runs_and_report_list_both_runs(reruns: Reruns) -> None:
    ids = [reruns.second.summary["run_id"], reruns.first.summary["run_id"]]
    assert [r["run_id"] for r in reruns.runs["runs"]] == ids
    assert [r["exported"] for r in reruns.runs["runs"]] == [0, len(reruns.truth.articles)]
    assert reruns.report["runs"] == ids[::-1]


def test_progress_lines_without_a_terminal_and_no_scrapy_log(reruns: Reruns) -> None:
    err = reruns.first.stderr
    assert not SCRAPY_LOG_LINE.search(err), err[-2000:]
    last = [line for line in err.splitlines() if line.startswith("progress: ")][-1]
    articles = len(reruns.truth.articles)
    assert (
        f"sites 7/7 done · {articles} fetched · {articles} exported · 0 unchanged (finished)"
        in last
    )
    log = Path(reruns.first.summary["log_path"])
    log = log if log.is_absolute() else reruns.workdir / log
    assert "Dumping Scrapy stats" in log.read_text(encoding="utf-8")  # the full log is kept


def test_progress_bar_on_a_terminal_then_the_summary(reruns: Reruns) -> None:
    err = reruns.second.stderr
    assert CLEAR_LINE in err and "progress: " not in err
    drawn = [part for part in err.split(CLEAR_LINE) if part.strip()]
    assert drawn and all(re.match(r"\[\d+:\d{2}\] sites \d/7 done · ", part) for part in drawn)
    assert err.endswith(CLEAR_LINE)  # the bar is gone before the summary prints
    assert not SCRAPY_LOG_LINE.search(err)
    assert reruns.second.stdout.startswith("run ")


@pytest.mark.parametrize("doc", [README, OUTPUT_DOC], ids=lambda p: p.name)
def test_the_duckdb_query_as_printed(
    reruns: Reruns, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    monkeypatch.chdir(reruns.workdir)  # the query names ./syndicrawl-output, the demo's default
    rows = duckdb.sql(readme_query(doc)).fetchall()
    expected = Counter((a.site, a.status) for a in reruns.truth.articles)
    assert {(site, status): n for site, status, n in rows} == dict(expected)
    assert [site for site, _, _ in rows] == sorted(site for site, _, _ in rows)


def test_fresh_starts_over(reruns: Reruns) -> None:
    fresh = syndicrawl(reruns.workdir, "demo", "--fresh", "--json")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert fresh.summary["totals"]["articles_exported"] == len(reruns.truth.articles)
    runs = syndicrawl(reruns.workdir, "runs", "--json").summary
    assert [r["run_id"] for r in runs["runs"]] == [fresh.summary["run_id"]]


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    refused = syndicrawl(tmp_path, "demo", "--output", "mine", "--fresh")
    assert refused.returncode == 2
    assert "was not made by 'syndicrawl demo'" in refused.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
