"""One vocabulary: the summary, ``syndicrawl runs`` and the report call each outcome by the same
word and show the same number for it, read from the same stat key; docs/operations.md defines
every word with its key."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.document import RunDocument, build_run
from crawler.monitoring.figures import SiteFigures
from crawler.monitoring.finalize import finalize_run
from crawler.monitoring.history import load_state_history
from crawler.monitoring.report import SITE_COLUMNS, collect, render_html
from crawler.monitoring.runs_table import format_table, run_row
from crawler.outcomes import OUTCOMES, RUNS_FIGURES, SUMMARY_FIGURES, label
from crawler.runner import RunResult
from crawler.summary import summarize
from tests.monitoring.conftest import T0, raw_stats, run_id_at

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
SITE = "harbor-times"
# A different number for every outcome, so a figure shown under the wrong word is caught.
COUNTS = {
    "discovery/discovered": 31,
    "discovery/skipped_unchanged": 13,
    "fetch/article_fetched": 17,
    "fetch/not_modified": 2,
    "fetch/failed/http_500": 3,
    "fetch/failed/timeout": 2,
    "fetch/refused/robots_forbidden": 4,
    "fetch/refused/refused_address": 1,
    "export/exported": 11,
    "revisit/unchanged": 6,
    "syndication/linked": 7,
    "clean/stripped/promo": 9,
    "monitor/undated": 1,
    "monitor/response_bytes": 123456,
}
EXPECTED = {
    "discovered": 31,
    "skipped_unchanged": 13,
    "fetched": 17,
    "not_modified": 2,
    "failed": 5,
    "refused": 5,
    "exported": 11,
    "unchanged": 6,
    "linked": 7,
    "stripped": 9,
    "missing_date": 1,
    "bytes": 123456,
}


class Cells(HTMLParser):
    """Every ``<th>`` text and every ``<td data-metric>`` (text by metric) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.metrics: dict[str, list[str]] = {}
        self._in: tuple[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("th", "td"):
            self._in = (tag, dict(attrs).get("data-metric"))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is None:
            return
        tag, metric = self._in
        if tag == "th":
            self.headers.append(data)
        elif metric:
            self.metrics.setdefault(metric, []).append(data)


@pytest.fixture
def run(tmp_path: Path) -> dict[str, Any]:
    raw = raw_stats({SITE: COUNTS})
    run_id = run_id_at(0)
    finalize_run(
        raw,
        sites=[SITE],
        run_id=run_id,
        started_at=T0.isoformat(),
        finished_at=T0.isoformat(),
        exit_status=0,
        state_dir=tmp_path,
        output_uri=None,
        settings={},
    )
    return {"raw": raw, "run_id": run_id, "state": tmp_path}


def test_the_stats_give_each_outcome_its_own_figure(run: dict[str, Any]) -> None:
    figures = build_run(run["raw"], [SITE], run["run_id"], None, None, 0).sites[SITE]
    assert {name: getattr(figures, name) for name in EXPECTED} == EXPECTED
    assert figures.failed_by_reason == {"http_500": 3, "timeout": 2}
    assert figures.refused_by_reason == {"refused_address": 1, "robots_forbidden": 4}
    assert figures.error_rate == pytest.approx(5 / (17 + 2 + 5))  # refusals are not the site's


def test_summary_runs_and_report_use_one_word_per_stat_key(run: dict[str, Any]) -> None:
    raw, run_id = run["raw"], run["run_id"]
    summary = summarize(
        RunResult(run_id, 0, T0.isoformat(), T0.isoformat(), raw), "out", [SITE]
    ).to_text()
    lines = summary.splitlines()
    header = lines[2].split()
    row = dict(zip(header[1:], lines[4].split()[1:], strict=True))
    shown_in_summary = {name: int(row[label(name)]) for name in SUMMARY_FIGURES}

    history = load_state_history(run["state"])
    table = format_table([run_row(r) for r in history.runs]).splitlines()
    runs_header = re.split(r"\s{2,}", table[0].strip())
    runs_row = dict(zip(runs_header, re.split(r"\s{2,}", table[2].strip()), strict=True))
    shown_in_runs = {name: int(runs_row[label(name)]) for name in RUNS_FIGURES}

    page = Cells()
    page.feed(render_html(collect(history, runs=10)))
    for name in (*RUNS_FIGURES, *(name for name, _ in SITE_COLUMNS)):
        assert label(name) in page.headers, f"the report has no column {label(name)!r}"
    shown_in_runs_section = {name: int(page.metrics[f"run_{name}"][0]) for name in RUNS_FIGURES}
    shown_in_sites_section = {name: int(page.metrics[name][0]) for name, _ in SITE_COLUMNS}

    for shown in (shown_in_summary, shown_in_runs, shown_in_runs_section, shown_in_sites_section):
        assert shown == {name: EXPECTED.get(name, 0) for name in shown}
    # The words of the old tables, each of which named the refusals differently, are gone.
    for text in (summary, "\n".join(table), " ".join(page.headers)):
        assert "failures" not in text and "failed fetches" not in text


def test_older_documents_move_refusals_out_of_failed() -> None:
    legacy = RunDocument.from_json(
        {
            "kind": "syndicrawl/run-stats",
            "schema_version": "1.0",
            "run_id": "r",
            "sites": {SITE: {"failed": 6, "failed_by_reason": {"robots_forbidden": 4, "dns": 2}}},
            "totals": {"failed": 6, "failed_by_reason": {"robots_forbidden": 4, "dns": 2}},
        }
    )
    figures: SiteFigures = legacy.sites[SITE]
    assert (figures.failed, figures.failed_by_reason) == (2, {"dns": 2})
    assert (figures.refused, figures.refused_by_reason) == (4, {"robots_forbidden": 4})


def test_operations_doc_defines_every_word_with_its_key() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    table = text.split("<!-- outcomes-table -->", 1)[1].split("<!-- /outcomes-table -->", 1)[0]
    rows = re.findall(r"^\| \*\*(.+?)\*\* \| `(.+?)` \| `(.+?)` \|", table, flags=re.MULTILINE)
    assert rows == [(o.label, o.name, o.stat) for o in OUTCOMES]


def test_prometheus_keeps_refusals_apart(run: dict[str, Any]) -> None:
    from prometheus_client import generate_latest

    from crawler.monitoring.metrics import build_registry

    (document,) = load_state_history(run["state"]).runs
    text = generate_latest(build_registry(document)).decode()
    assert 'syndicrawl_fetch_refusals{reason="robots_forbidden",site="harbor-times"} 4.0' in text
    assert 'syndicrawl_fetch_failures{reason="http_500",site="harbor-times"} 3.0' in text
    assert 'syndicrawl_fetch_failures{reason="robots_forbidden"' not in text
