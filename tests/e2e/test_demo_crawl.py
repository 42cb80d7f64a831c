"""End to end: ``syndicrawl demo`` in a subprocess, its export checked against the demo web's truth."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from syndicrawl_tools.demo.truth import DemoTruth, load_truth
from tests.e2e.conftest import misattributed_copies, read_records, record_key

pytestmark = pytest.mark.e2e


@dataclass
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    summary: dict[str, Any]
    records: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    truth: DemoTruth
    output: Path


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    workdir = tmp_path_factory.mktemp("demo")
    output, log = workdir / "out", workdir / "requests.jsonl"
    started = datetime.now().astimezone()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "demo",
            "--output",
            str(output),
            "--request-log",
            str(log),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    summary = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    requests = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return DemoRun(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        summary,
        read_records(output),
        requests,
        load_truth(start_time=started),
        output,
    )


def by_key(run: DemoRun) -> dict[tuple[str, str], dict[str, Any]]:
    return {record_key(r["site"], r["url"]): r for r in run.records}


def paragraphs(text: str | None) -> list[str]:
    return [re.sub(r"\s+", " ", p).strip() for p in (text or "").split("\n\n") if p.strip()]


def test_demo_exits_zero_and_prints_summary(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.stderr[-3000:]
    totals = demo_run.summary["totals"]
    assert totals["articles_exported"] == len(demo_run.truth.articles)
    assert "output:" in demo_run.stdout


def test_exactly_one_record_per_demo_article(demo_run: DemoRun) -> None:
    counts = Counter(record_key(r["site"], r["url"]) for r in demo_run.records)
    duplicates = {k: n for k, n in counts.items() if n > 1}
    assert not duplicates
    expected = {(a.site, a.path) for a in demo_run.truth.articles}
    assert set(counts) - expected == set(), "records for pages that are not demo articles"
    assert expected - set(counts) == set(), "demo articles with no record"


def test_text_is_clean_and_complete(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    problems = []
    for article in demo_run.truth.articles:
        record = records.get((article.site, article.path))
        if record is None:
            continue
        got, want = paragraphs(record["text"]), paragraphs(article.text)
        extra = [p for p in got if p not in want]
        missing = [p for p in want if p not in got]
        if extra or missing:
            problems.append(
                f"{article.site}{article.path}: extra={extra[:2]} missing={[m[:60] for m in missing[:2]]}"
            )
    assert not problems, "\n".join(problems)


def test_no_promo_credit_or_chrome_left(demo_run: DemoRun) -> None:
    leftovers = re.compile(
        r"(?im)^(source:|via |with [A-Z]|this article first appeared)|internet radio station|share on|subscribe|newsletter"
    )
    bad = [(r["site"], r["url"]) for r in demo_run.records if leftovers.search(r["text"] or "")]
    assert not bad


def test_credited_source_recorded(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    wrong = [
        (a.site, a.path, records[(a.site, a.path)]["credited_source"], a.credited_source)
        for a in demo_run.truth.articles
        if (a.site, a.path) in records
        and records[(a.site, a.path)]["credited_source"] != a.credited_source
    ]
    assert not wrong


def test_every_republication_linked_to_its_true_original(demo_run: DemoRun) -> None:
    wrong = misattributed_copies(by_key(demo_run), demo_run.truth, require_all=False)
    assert not wrong, "\n".join(wrong)


def test_no_independent_report_linked(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    independent = [a for a in demo_run.truth.articles if a.kind in ("independent", "unique")]
    assert independent
    linked = [
        (a.site, a.path)
        for a in independent
        if records.get((a.site, a.path), {}).get("syndication", {}).get("status") != "unique"
    ]
    assert not linked
    urls = {a.path for a in independent}
    pointing = [
        r["url"]
        for r in demo_run.records
        if urlsplit(r["syndication"]["original_url"] or "").path in urls
    ]
    assert not pointing


def test_copies_of_one_story_share_a_cluster(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    clusters: dict[str, set[str | None]] = {}
    for article in demo_run.truth.articles:
        if article.status == "unique" or (article.site, article.path) not in records:
            continue
        clusters.setdefault(article.story, set()).add(
            records[(article.site, article.path)]["syndication"]["cluster_id"]
        )
    split = {story: ids for story, ids in clusters.items() if len(ids) != 1 or None in ids}
    assert not split
    assert len({next(iter(ids)) for ids in clusters.values()}) == len(clusters)


def test_publication_dates_match_truth(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    tolerance = {
        "minute": timedelta(minutes=1),
        "hour": timedelta(hours=1, minutes=5),
        "day": timedelta(days=1, hours=1),
    }
    wrong = []
    for article in demo_run.truth.articles:
        record = records.get((article.site, article.path))
        if record is None or article.published_at is None:
            continue
        if record["published_at"] is None:
            wrong.append(f"{article.site}{article.path}: no date (want {article.published_at})")
            continue
        delta = abs(
            datetime.fromisoformat(record["published_at"])
            - datetime.fromisoformat(article.published_at)
        )
        if delta > tolerance[article.date_precision]:
            wrong.append(
                f"{article.site}{article.path}: {record['published_at']} != {article.published_at} ({record['published_at_source']})"
            )
    assert not wrong, "\n".join(wrong)


def test_titles_and_languages(demo_run: DemoRun) -> None:
    records = by_key(demo_run)
    wrong = [
        (a.site, a.path, records[(a.site, a.path)]["title"], a.title)
        for a in demo_run.truth.articles
        if (a.site, a.path) in records
        and (records[(a.site, a.path)]["title"], records[(a.site, a.path)]["language"])
        != (a.title, a.language)
    ]
    assert not wrong


def test_robots_disallowed_pages_never_requested(demo_run: DemoRun) -> None:
    assert demo_run.requests, "the demo web's request log is empty"
    requested = {(r["site"], r["path"]) for r in demo_run.requests}
    for site, paths in demo_run.truth.disallowed.items():
        for path in paths:
            assert (site, path) not in requested


def test_each_article_fetched_once(demo_run: DemoRun) -> None:
    article_paths = {(a.site, a.path) for a in demo_run.truth.articles}
    fetched = Counter(
        (r["site"], r["path"]) for r in demo_run.requests if (r["site"], r["path"]) in article_paths
    )
    assert {k: n for k, n in fetched.items() if n != 1} == {}


def test_javascript_site_needs_rendering_and_is_exported_whole(demo_run: DemoRun) -> None:
    """valley-ledger writes its body with a script: raw HTML has no article text, the crawl's
    (Chromium-rendered) records have all of it."""
    import urllib.request

    from pipelines.core.extraction import ArticleExtractor, ExtractOptions
    from syndicrawl_tools.demo.server import DemoWeb

    (js_site,) = demo_run.truth.js_rendered
    articles = demo_run.truth.for_site(js_site)
    assert articles
    with DemoWeb() as web:
        raw = urllib.request.urlopen(web.url(js_site, articles[0].path), timeout=10).read().decode()
    with pytest.raises(Exception, match="(?i)body|empty|short|text"):
        ArticleExtractor(ExtractOptions()).extract(raw, web.url(js_site, articles[0].path))
    records = by_key(demo_run)
    for article in articles:
        assert paragraphs(records[(js_site, article.path)]["text"]) == paragraphs(article.text)
    assert demo_run.summary["sites"][js_site]["articles_exported"] == len(articles)


def test_duckdb_reads_the_export(demo_run: DemoRun) -> None:
    import duckdb

    pattern = str(demo_run.output / "articles" / "*" / "*" / "*.jsonl.gz")
    total = duckdb.sql(
        f"SELECT count(*) FROM read_json('{pattern}', hive_partitioning = true)"
    ).fetchall()
    assert total == [(len(demo_run.truth.articles),)]
    day = sorted(p.name for p in (demo_run.output / "articles").iterdir())[-1]
    ((in_day,),) = duckdb.sql(
        f"SELECT count(*) FROM read_json('{demo_run.output}/articles/{day}/*/*.jsonl.gz', hive_partitioning = true)"
    ).fetchall()
    expected = [
        r for r in demo_run.records if f"dt={(r['published_at'] or r['fetched_at'])[:10]}" == day
    ]
    assert in_day == len(expected) > 0
    kinds = {
        row[0]: row[1]
        for row in duckdb.sql(f"DESCRIBE SELECT * FROM read_json('{pattern}')").fetchall()
    }
    assert kinds["published_at"].startswith("TIMESTAMP") and kinds["authors"] == "VARCHAR[]"
    assert kinds["syndication"].startswith("STRUCT")
