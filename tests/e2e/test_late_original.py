"""A copy crawled before its original: when the original arrives in a later run, the copy is
fetched again and exported with its link, and the original lists it ("links kept up to date both
ways"). The latest record of a URL is its current state."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from syndicrawl_tools.demo.server import DemoWeb
from tests.e2e.conftest import crawl, read_records

pytestmark = pytest.mark.e2e


def latest(records: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for record in sorted(records, key=lambda r: r["fetched_at"]):
        out[record["url"]] = record
    return out


def test_copy_first_then_original_in_a_later_run(
    demo_web: tuple[DemoWeb, Path], tmp_path: Path
) -> None:
    web, sites = demo_web
    truth = web.truth()
    output = tmp_path / "out"
    first = crawl(sites, output, "--site", "kestrel-fm")
    assert first.returncode == 0, first.stderr[-3000:]
    copies = [a for a in truth.for_site("kestrel-fm") if a.status == "republication"]
    assert copies
    before = latest(read_records(output))
    assert all(r["syndication"]["status"] == "unique" for r in before.values())

    second = crawl(sites, output)
    assert second.returncode == 0, second.stderr[-3000:]
    now = latest(read_records(output))
    by_path = {(r["site"], urlsplit(r["url"]).path): r for r in now.values()}
    for copy in copies:
        record = by_path[("kestrel-fm", copy.path)]
        assert copy.original is not None
        original_site, original_path = copy.original
        link = record["syndication"]
        assert (link["status"], link["original_site"]) == ("republication", original_site), (
            copy.path
        )
        assert urlsplit(link["original_url"]).path == original_path
        original = by_path[(original_site, original_path)]
        assert original["syndication"]["status"] == "original"
        assert record["url"] in original["syndication"]["copies"]
    fetched = Counter((r.site, r.path) for r in web.requests)
    assert all(fetched[("kestrel-fm", c.path)] == 2 for c in copies), (
        "each copy fetched once per run"
    )
