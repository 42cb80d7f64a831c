from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.monitoring.finalize import finalize_run
from crawler.monitoring.history import load_output_history, load_state_history
from crawler.monitoring.report import collect, render_html
from crawler.monitoring.syndication_graph import build_graph
from tests.monitoring.conftest import (
    STANDARD_SITES,
    T0,
    healthy_site,
    raw_stats,
    run_id_at,
    standard_raw,
)

CHROMIUM = "/usr/bin/chromium"


def _record(
    site: str,
    url: str,
    published: str | None,
    status: str = "unique",
    original: str | None = None,
    original_site: str | None = None,
) -> dict[str, Any]:
    return {
        "url": url,
        "canonical_url": url,
        "site": site,
        "published_at": published,
        "syndication": {"status": status, "original_url": original, "original_site": original_site},
    }


def _write_part(
    out: Path, run_id: str, site: str, records: list[dict[str, Any]], *, gz: bool = True
) -> None:
    folder = out / "articles" / "dt=2026-03-02" / f"site={site}"
    folder.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    name = f"part-{run_id}-00001.jsonl" + (".gz" if gz else "")
    (folder / name).write_bytes(gzip.compress(data) if gz else data)


def _iso(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture(scope="module")
def crawl_history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three finished runs (the last with two broken sites) and their exported records."""
    root = tmp_path_factory.mktemp("report")
    state, out = root / "state", root / "out"
    raws = [
        raw_stats(
            {
                "harbor-times": healthy_site(20),
                "valley-ledger": healthy_site(15),
                "kestrel-fm": healthy_site(10),
            }
        ),
        raw_stats(
            {
                "harbor-times": healthy_site(22),
                "valley-ledger": healthy_site(14),
                "kestrel-fm": healthy_site(11),
            }
        ),
        standard_raw(),
    ]
    ids = [run_id_at(day) for day in range(3)]
    for day, (run_id, raw) in enumerate(zip(ids, raws, strict=True)):
        start = T0 + timedelta(days=day)
        finalize_run(
            raw,
            sites=STANDARD_SITES,
            run_id=run_id,
            started_at=start.isoformat(),
            finished_at=(start + timedelta(minutes=5)).isoformat(),
            exit_status=0,
            state_dir=state,
            output_uri=str(out),
            settings={},
        )
    # The wire publishes; harbor-times copies two stories (30 and 90 min later), valley-ledger one (4 h later).
    wire = [_record("meridian-wire", f"https://wire.example/story-{i}", _iso(0)) for i in range(3)]
    _write_part(out, ids[0], "meridian-wire", wire)
    _write_part(
        out,
        ids[1],
        "harbor-times",
        [
            _record(
                "harbor-times",
                "https://harbor.example/a",
                _iso(30),
                "republication",
                wire[0]["url"],
                "meridian-wire",
            ),
            _record(
                "harbor-times",
                "https://harbor.example/b",
                _iso(90),
                "republication",
                wire[1]["url"],
                "meridian-wire",
            ),
            _record("harbor-times", "https://harbor.example/own", _iso(5)),
        ],
    )
    _write_part(
        out,
        ids[2],
        "valley-ledger",
        [
            _record(
                "valley-ledger",
                "https://valley.example/c",
                _iso(240),
                "republication",
                wire[2]["url"],
                "meridian-wire",
            ),
            _record(
                "valley-ledger",
                "https://valley.example/d",
                _iso(10),
                "republication",
                "https://gone.example/x",
                "old-source",
            ),
        ],
        gz=False,
    )
    return {"state": state, "out": out, "ids": ids, "raws": raws}


def test_syndication_graph_counts_stories_and_median_delay() -> None:
    records = [
        _record("wire", "https://w/1", _iso(0)),
        _record("wire", "https://w/2", _iso(0)),
        _record("copy", "https://c/1", _iso(30), "republication", "https://w/1", "wire"),
        _record("copy", "https://c/2", _iso(90), "republication", "https://w/2", "wire"),
        _record(
            "copy", "https://c/2", _iso(90), "republication", "https://w/2", "wire"
        ),  # re-exported: one story
        _record(
            "copy", "https://c/3", None, "republication", "https://w/3", "wire"
        ),  # no dates: story without delay
    ]
    [edge] = build_graph(records).edges
    assert (edge.source, edge.syndicator, edge.stories, len(edge.delays)) == ("wire", "copy", 3, 2)
    assert edge.median_delay_seconds == 3600.0


def test_report_figures_equal_the_stats(crawl_history: dict[str, Any]) -> None:
    data = collect(load_state_history(crawl_history["state"]), runs=10)
    figures = data.to_json()
    ids = crawl_history["ids"]
    assert figures["runs"] == ids
    assert figures["articles_per_site"]["harbor-times"] == {ids[0]: 20, ids[1]: 22, ids[2]: 24}
    assert figures["errors_by_kind"] == {"http_500": 16, "timeout": 1}
    assert figures["drops_by_reason"] == {"BodyTooShort": 3, "EmptyExtraction": 7}
    assert [(m["run_id"], m["monitor"], m["site"]) for m in figures["failing_monitors"]] == [
        (ids[2], "error_rate", "valley-ledger"),
        (ids[2], "text_lost", "kestrel-fm"),
    ]
    edges = {(e["source"], e["syndicator"]): e for e in figures["syndication"]["edges"]}
    assert edges["meridian-wire", "harbor-times"]["stories"] == 2
    assert edges["meridian-wire", "harbor-times"]["median_delay_seconds"] == 3600.0
    assert edges["meridian-wire", "valley-ledger"]["median_delay_seconds"] == 14400.0
    assert edges["old-source", "valley-ledger"] == {
        "source": "old-source",
        "syndicator": "valley-ledger",
        "stories": 1,
        "with_delay": 0,
        "median_delay_seconds": None,
    }
    assert figures["syndication"]["parts"] == 3

    page = render_html(data)
    # failing monitors come first
    assert page.index('id="monitors"') < page.index('id="articles"') < page.index('id="sites"')
    assert "site valley-ledger: fetch error rate 0.89" in page
    for site, per_run in figures["articles_per_site"].items():
        for run_id, exported in per_run.items():
            cell = (
                f'<td data-metric="exported" data-site="{site}" data-run="{run_id}">{exported}</td>'
            )
            assert cell in page
            assert (
                f'data-metric="exported" data-site="{site}" data-run="{run_id}" data-value="{exported}"'
                in page
            )
    assert 'data-metric="errors_by_kind" data-key="http_500" data-value="16"' in page
    assert "1h 00m" in page and "4h 00m" in page


def test_report_is_self_contained(crawl_history: dict[str, Any]) -> None:
    page = render_html(collect(load_state_history(crawl_history["state"]), runs=10))
    assert not re.search(
        r"<script|<link|<img|<iframe|@import|url\(|\bsrc=|\bhref=", page, re.IGNORECASE
    )
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) <= {"http://www.w3.org/2000/svg"} | {
        u for u in re.findall(r"https?://[^\s\"'<]+", page) if "example" in u
    }


def test_report_command_json_and_runs_limit(
    crawl_history: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r" / "report.html"
    status = main(
        [
            "report",
            "--state-dir",
            str(crawl_history["state"]),
            "--runs",
            "2",
            "--out",
            str(out),
            "--json",
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert status == 0 and out.exists()
    figures = json.loads(lines[-1])
    assert figures["runs"] == crawl_history["ids"][1:] and figures["out"] == str(out)
    assert figures["syndication"]["parts"] == 2  # only the runs shown are read
    assert main(["report", "--state-dir", str(tmp_path / "missing")]) == 2


def test_report_from_the_output_store(
    crawl_history: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = load_output_history(str(crawl_history["out"]))
    assert [r.run_id for r in history.runs] == crawl_history["ids"]
    status = main(
        [
            "report",
            "--output",
            str(crawl_history["out"]),
            "--out",
            str(tmp_path / "o.html"),
            "--json",
        ]
    )
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0 and figures["errors_by_kind"] == {"http_500": 16, "timeout": 1}


def test_unreadable_document_is_named_not_fatal(
    crawl_history: dict[str, Any], tmp_path: Path
) -> None:
    state = tmp_path / "state"
    shutil.copytree(crawl_history["state"], state)
    (state / "runs" / "run=20260310T000000Z-broken.json").write_text("{half a doc")
    history = load_state_history(state)
    assert len(history.runs) == 3 and len(history.skipped) == 1
    assert "run=20260310T000000Z-broken.json" in render_html(collect(history, runs=10))


@pytest.mark.browser
def test_report_renders_in_headless_chromium(crawl_history: dict[str, Any], tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    data = collect(load_state_history(crawl_history["state"]), runs=10)
    report = tmp_path / "report.html"
    report.write_text(render_html(data), encoding="utf-8")
    shot = tmp_path / "report.png"
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2000})
            page.on(
                "request",
                lambda r: outside.append(r.url) if not r.url.startswith("file://") else None,
            )
            page.goto(report.as_uri())
            rendered = page.eval_on_selector_all(
                'td[data-metric="exported"]',
                "els => els.map(e => [e.dataset.site, e.dataset.run, e.textContent])",
            )
            bars = page.eval_on_selector_all(
                'rect[data-metric="exported"]',
                "els => els.map(e => [e.dataset.site, e.dataset.run, e.getBoundingClientRect().height])",
            )
            failing = page.inner_text("#monitors")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert outside == []  # the page loads nothing
    expected = data.articles_per_site()
    assert sorted((s, r, int(t)) for s, r, t in rendered) == sorted(
        (s, r, n) for s, runs in expected.items() for r, n in runs.items()
    )
    heights = {(s, r): h for s, r, h in bars}
    assert (
        heights["harbor-times", data.runs[-1].run_id]
        > heights["valley-ledger", data.runs[-1].run_id]
        > 0
    )
    assert "valley-ledger" in failing and "error_rate" in failing
    assert shot.stat().st_size > 20_000
    with shot.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    shutil.copyfile(shot, "/tmp/syndicrawl-report.png")  # for people to look at


@pytest.mark.s3
def test_report_from_an_s3_output(
    crawl_history: dict[str, Any],
    moto_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket="news")
    out: Path = crawl_history["out"]
    for path in out.rglob("*"):
        if path.is_file():
            client.put_object(
                Bucket="news",
                Key=f"prod/{path.relative_to(out).as_posix()}",
                Body=path.read_bytes(),
            )
    status = main(
        [
            "report",
            "--output",
            "s3://news/prod",
            "--endpoint-url",
            moto_endpoint,
            "--out",
            str(tmp_path / "s3.html"),
            "--json",
        ]
    )
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0 and figures["runs"] == crawl_history["ids"]
    assert figures["syndication"]["parts"] == 3 and len(figures["syndication"]["edges"]) == 3


def _dense_graph_records() -> list[dict[str, Any]]:
    """Three wires each copied by four outlets: twelve edges whose curve midpoints coincide
    (s0 -> t1 and s1 -> t0 cross at one height), so labels drawn on the curves would overlap."""
    records: list[dict[str, Any]] = []
    wires = ["meridian-wire", "el-faro", "harbor-times"]
    outlets = ["kestrel-fm", "newsdeck", "riverton-courier", "valley-ledger"]
    for w, wire in enumerate(wires):
        for o, outlet in enumerate(outlets):
            for n in range(1 + (w + o) % 3):
                original = f"https://{wire}.example/{outlet}-{n}"
                records.append(_record(wire, original, _iso(0)))
                records.append(
                    _record(
                        outlet,
                        f"https://{outlet}.example/{wire}-{n}",
                        _iso(20 * (o + 1) + 7 * w),
                        "republication",
                        original,
                        wire,
                    )
                )
    return records


@pytest.mark.browser
def test_report_layout_in_headless_chromium(crawl_history: dict[str, Any], tmp_path: Path) -> None:
    """Measured on the rendered page: no two syndication-graph labels overlap each other or a
    node, every label's text fits its box, and the charts span the page's width."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    data = collect(load_state_history(crawl_history["state"]), runs=10)
    data.graph = build_graph(_dense_graph_records())
    assert len(data.graph.edges) == 12
    report = tmp_path / "report.html"
    report.write_text(render_html(data), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto(report.as_uri())
            box = "r => ({x: r.x, y: r.y, w: r.width, h: r.height})"
            labels = page.eval_on_selector_all(
                "[data-edge-label]",
                f"""els => els.map(g => ({{
                    name: g.dataset.source + ' -> ' + g.dataset.syndicator,
                    box: ({box})(g.querySelector('rect').getBoundingClientRect()),
                    text: ({box})(g.querySelector('text').getBoundingClientRect()),
                }}))""",
            )
            nodes = page.eval_on_selector_all(
                '[data-chart="syndication-graph"] rect[rx="5"]',
                f"els => els.map(e => ({box})(e.getBoundingClientRect()))",
            )
            widths = page.evaluate(
                """() => ({
                    body: document.querySelector('#syndication').getBoundingClientRect().width,
                    graph: document.querySelector('[data-chart="syndication-graph"]').getBoundingClientRect().width,
                    bars: document.querySelector('[data-chart="exported"]').getBoundingClientRect().width,
                })"""
            )
            page.screenshot(path=str(tmp_path / "graph.png"), full_page=True)
        finally:
            browser.close()

    def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
        return (
            a["x"] < b["x"] + b["w"] - 0.5
            and b["x"] < a["x"] + a["w"] - 0.5
            and a["y"] < b["y"] + b["h"] - 0.5
            and b["y"] < a["y"] + a["h"] - 0.5
        )

    assert len(labels) == 12 and len(nodes) == 7
    clashes = [
        (a["name"], b["name"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if overlap(a["box"], b["box"])
    ]
    assert clashes == []
    assert not [a["name"] for a in labels for n in nodes if overlap(a["box"], n)]
    for label in labels:  # the words fit their white box
        t, b = label["text"], label["box"]
        assert b["x"] <= t["x"] and t["x"] + t["w"] <= b["x"] + b["w"], label["name"]
    assert widths["graph"] >= 0.98 * widths["body"] and widths["bars"] >= 0.98 * widths["body"]
    shutil.copyfile(tmp_path / "graph.png", "/tmp/syndicrawl-report-graph.png")  # for people
