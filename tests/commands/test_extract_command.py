"""``syndicrawl extract``: one page in, one record out as JSON."""

from __future__ import annotations

import json

import pytest

from crawler.cli import main

PAGE = """<html lang="en"><head><title>Bridge reopens | Alder Radio</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge reopens",
 "datePublished": "2026-03-18T09:30:00+01:00", "author": {"name": "Ada Brook"}}</script></head>
<body><div class="player">Listen live now on Alder Radio</div><article><h1>Bridge reopens</h1>
<p>RIVERTON (Meridian Wire) - The old stone bridge over the Alder reopened on Tuesday after eight months of repairs.</p>
<p>Engineers replaced the worn arches and added a footpath on the upstream side, the works department said.</p>
<p>Traffic had been diverted through Millbrook since July, adding twenty minutes to many commutes.</p>
<p>Source: Meridian Wire</p></article></body></html>"""

SITE = """name: alder-radio
publisher: Alder Radio
role: syndicator
domains: [radio.example]
start: {rss: [https://radio.example/rss]}
language: en
timezone: Europe/London
boilerplate: {selectors: [".player"]}
"""


@pytest.fixture
def files(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.encode("utf-8"))
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "alder-radio.yaml").write_text(SITE, encoding="utf-8")
    return page, sites


def test_prints_record(files, capsys):
    page, sites = files
    status = main(
        [
            "extract",
            str(page),
            "--site",
            "alder-radio",
            "--sites",
            str(sites),
            "--url",
            "https://radio.example/news/bridge",
        ]
    )
    record = json.loads(capsys.readouterr().out)
    assert status == 0
    assert record["title"] == "Bridge reopens" and record["authors"] == ["Ada Brook"]
    assert (
        record["published_at"] == "2026-03-18T08:30:00+00:00"
        and record["published_at_source"] == "jsonld"
    )
    assert record["credited_source"] == "Meridian Wire"
    assert record["text"].startswith("The old stone bridge")
    assert "Listen live" not in record["text"] and "Source:" not in record["text"]
    assert record["canonical_url"] == "https://radio.example/news/bridge"
    assert "html" not in record and "hints" not in record


def test_show_removed_lists_reasons(files, capsys):
    page, _ = files
    assert main(["extract", str(page), "--show-removed"]) == 0
    record = json.loads(capsys.readouterr().out)
    removed = {(r["reason"], r["text"]): r["why"] for r in record["_removed"]}
    assert removed[("credit", "Source: Meridian Wire")] == "source credit naming Meridian Wire"
    assert removed[("credit", "RIVERTON (Meridian Wire) -")] == "dateline credit naming Meridian Wire"
    assert removed[("chrome", "Bridge reopens")] == "the headline repeated"


def test_unknown_site_is_usage_error(files, capsys):
    page, sites = files
    assert main(["extract", str(page), "--site", "nope", "--sites", str(sites)]) == 2
    assert "no site 'nope'" in capsys.readouterr().err


def test_missing_file_and_empty_page(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "absent.html")]) == 2
    empty = tmp_path / "empty.html"
    empty.write_text("", encoding="utf-8")
    assert main(["extract", str(empty)]) == 1
    assert "EmptyExtraction" in capsys.readouterr().err


def test_help_says_learned_boilerplate_is_unavailable(capsys):
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    assert "Learned boilerplate is not available" in capsys.readouterr().out
