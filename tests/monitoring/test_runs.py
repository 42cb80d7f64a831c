from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.monitoring.finalize import finalize_run
from tests.monitoring.conftest import STANDARD_SITES, T0, run_id_at, standard_raw, write_history


@pytest.fixture
def state(tmp_path: Path) -> Path:
    write_history(
        tmp_path,
        [
            {"harbor-times": 20, "valley-ledger": 15, "kestrel-fm": 10},
            {"harbor-times": 21, "valley-ledger": 14, "kestrel-fm": 9},
        ],
    )
    start = T0 + timedelta(days=2)
    finalize_run(
        standard_raw(),
        sites=STANDARD_SITES,
        run_id=run_id_at(2),
        started_at=start.isoformat(),
        finished_at=(start + timedelta(seconds=312)).isoformat(),
        exit_status=0,
        state_dir=tmp_path,
        output_uri=None,
        settings={},
    )
    return tmp_path


def test_runs_table_newest_first(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--state-dir", str(state)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "run",
        "started",
        "duration",
        "sites",
        "exported",
        "failed",
        "refused",
        "monitors",
        "failed",
        "status",
    ]
    assert lines[2].split() == [
        run_id_at(2),
        "2026-03-04T06:00:00Z",
        "5m",
        "12s",
        "3",
        "28",
        "17",
        "0",
        "2",
        "FAILED",
    ]
    assert lines[3].split() == [
        run_id_at(1),
        "2026-03-03T06:00:00Z",
        "5m",
        "00s",
        "3",
        "44",
        "0",
        "0",
        "0",
        "OK",
    ]
    assert lines[4].split()[0] == run_id_at(0)
    assert (
        lines[5]
        == f"{run_id_at(2)}: failed monitors: error_rate:valley-ledger, text_lost:kestrel-fm"
    )


def test_runs_json_and_limit(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--state-dir", str(state), "--limit", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["run_id"] for r in figures["runs"]] == [run_id_at(2), run_id_at(1)]
    assert figures["runs"][0] | {"failed_monitors": None} == {
        "run_id": run_id_at(2),
        "started_at": "2026-03-04T06:00:00+00:00",
        "duration_seconds": 312.0,
        "sites": 3,
        "exported": 28,
        "failed": 17,
        "refused": 0,
        "monitors_failed": 2,
        "failed_monitors": None,
        "exit_status": 1,
        "status": "FAILED",
    }


def test_runs_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--state-dir", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["runs", "--state-dir", str(tmp_path)]) == 0
    assert "no runs in" in capsys.readouterr().out
