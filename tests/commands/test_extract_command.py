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
    assert (
        removed[("credit", "RIVERTON (Meridian Wire) -")] == "dateline credit naming Meridian Wire"
    )
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


# --- a republished wire story on a radio station's page, shaped like ../shared/seeds/ ------------

WIRE_STORY = [
    "Fishing crews in the northern isles will be allowed back to the cod grounds next month after scientists found stocks had recovered faster than expected, the fisheries ministry said on Thursday.",
    "The grounds were closed three years ago when surveys showed the spawning stock at its lowest level on record.",
    "Catches will be capped at half of what boats landed before the closure, and every vessel will carry a tracker so inspectors can see where it fishes.",
    "Harbour towns that lost most of their work during the closure welcomed the news, though some skippers said the cap was too tight to pay for fuel.",
    "The ministry said it would review the cap after the first season, once the autumn survey is in.",
]
LAST_SENTENCE = "The ministry said it would review the cap after the first season, once the autumn survey is in."
STATION_PROMO = "Osprey FM is the moorland's premier internet radio, taking the valley's voice to listeners all over the world."


def seed_page(*, og: bool, suffix: bool, credit: str = "Source: AFP") -> str:
    head = '<meta property="og:site_name" content="Osprey FM">' if og else ""
    title = "Cod grounds to reopen next month" + (" | Osprey FM" if suffix else "")
    body = "".join(f"<p>{p}</p>" for p in WIRE_STORY[:3])
    body += "<h2>Towns welcome the news</h2>" + "".join(f"<p>{p}</p>" for p in WIRE_STORY[3:])
    return f"""<html lang="en"><head><title>{title}</title>{head}</head><body>
<header><a href="/">Home</a> <a href="/listen">Listen</a></header>
<article><h1>Cod grounds to reopen next month</h1>{body}
<p>{credit}</p><p><strong>Osprey FM</strong></p><p>{STATION_PROMO}</p></article>
<footer><p>Contact the studio</p></footer></body></html>"""


@pytest.mark.parametrize(
    ("og", "suffix", "url"),
    [
        (True, False, None),
        (False, True, None),
        (False, False, "https://www.ospreyfm.example/news/cod"),
    ],
    ids=["og-site-name", "title-suffix", "domain"],
)
def test_single_page_ends_with_the_story_and_credits_the_wire(tmp_path, capsys, og, suffix, url):
    page = tmp_path / "republished.html"
    page.write_text(seed_page(og=og, suffix=suffix), encoding="utf-8")
    argv = ["extract", str(page), "--show-removed", *(["--url", url] if url else [])]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"].endswith(LAST_SENTENCE), record["text"][-200:]
    assert "Osprey FM" not in record["text"] and "Source:" not in record["text"]
    assert record["credited_source"] == "Agence France-Presse"
    removed = [(r["reason"], r["text"]) for r in record["_removed"]]
    assert ("promo", STATION_PROMO) in removed and ("promo", "Osprey FM") in removed
    assert ("credit", "Source: AFP") in removed


OSPREY_SITE = """name: osprey-fm
publisher: Osprey FM
role: syndicator
domains: [ospreyfm.example]
start: {rss: [https://ospreyfm.example/rss]}
carries: [{publisher: North Sea Press Agency, aliases: [NSPA]}]
"""
AGENCY_SITE = """name: nspa
publisher: North Sea Press Agency
role: original
domains: [nspa.example]
start: {rss: [https://nspa.example/rss]}
"""


def test_with_a_site_file_the_wire_is_credited_as_the_registry_spells_it(tmp_path, capsys):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "osprey-fm.yaml").write_text(OSPREY_SITE, encoding="utf-8")
    (sites / "nspa.yaml").write_text(AGENCY_SITE, encoding="utf-8")
    page = tmp_path / "republished.html"
    page.write_text(seed_page(og=False, suffix=False, credit="Source: NSPA"), encoding="utf-8")
    argv = ["extract", str(page), "--site", "osprey-fm", "--sites", str(sites), "--show-removed"]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"].endswith(LAST_SENTENCE)
    assert record["credited_source"] == "North Sea Press Agency"
    whys = {r["text"]: r["why"] for r in record["_removed"]}
    assert whys[STATION_PROMO] == "describes the site itself"
    assert whys["Source: NSPA"] == "source credit naming North Sea Press Agency"
