"""Incremental crawling against the demo web: unchanged articles are not fetched again; a changed
one is fetched and exported again with its new ``updated_at``. The demo server's own request log
is the witness."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.e2e.conftest import crawl, read_records

pytestmark = pytest.mark.e2e


def article_requests(web: DemoWeb, since: int) -> list[tuple[str, str]]:
    articles = {(a.site, a.path) for a in web.truth().articles}
    return [(r.site, r.path) for r in web.requests[since:] if (r.site, r.path) in articles]


def test_second_crawl_fetches_no_article_and_a_changed_one_is_exported_again(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path
) -> None:
    web, sites = demo_web
    output = tmp_path / "out"
    truth = web.truth()

    first = crawl(sites, output)
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(read_records(output)) == len(truth.articles)

    mark = len(web.requests)
    second = crawl(sites, output)
    assert second.returncode == 0, second.stderr[-3000:]
    assert article_requests(web, mark) == []
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    assert summary["totals"]["articles_exported"] == 0
    assert summary["totals"]["skipped_unchanged"] == len(truth.articles)
    assert len(read_records(output)) == len(truth.articles)
    feeds_and_sitemaps = [
        r for r in web.requests[mark:] if r.path.endswith((".xml", ".xml.gz", "/feed/"))
    ]
    assert feeds_and_sitemaps, "the second crawl must still read the feeds and sitemaps"

    # An original listed in a feed/sitemap with a lastmod: changing it must be noticed.
    changed = next(
        a for a in truth.articles if a.site == "meridian-wire" and a.status == "original"
    )
    updated = web.update_article(
        changed.site,
        changed.path,
        "A council spokesperson later said the figures would be reviewed in spring.",
    )
    mark = len(web.requests)
    third = crawl(sites, output)
    assert third.returncode == 0, third.stderr[-3000:]
    assert article_requests(web, mark) == [(changed.site, changed.path)]
    records = read_records(output)
    assert len(records) == len(truth.articles) + 1
    again = [r for r in records if r["url"].endswith(changed.path)]
    assert len(again) == 2
    newest = max(again, key=lambda r: r["fetched_at"])
    assert newest["updated_at"] is not None and updated.updated_at is not None
    assert (
        abs(
            (
                datetime.fromisoformat(newest["updated_at"])
                - datetime.fromisoformat(updated.updated_at)
            ).total_seconds()
        )
        <= 60
    )
    assert newest["text"].endswith("would be reviewed in spring.")
