"""Quality gate: extract + clean on small pages we wrote, scored like article-extraction-benchmark.

Floors are pinned: a trafilatura upgrade or a rule change that lowers them shows up here. The real
figures come from ``syndicrawl eval extraction`` on the shared corpus.
"""

from __future__ import annotations

import pytest

from pipelines.core.cleaning import Cleaner
from pipelines.core.extraction import ArticleExtractor, ExtractOptions
from syndicrawl_tools.evaluation.extraction import aggregate, score_page

CHROME_HEAD = """<header><a href="/">Alder Gazette</a><nav><a href="/news">News</a><a href="/sport">Sport</a>
<a href="/weather">Weather</a><a href="/subscribe">Subscribe</a></nav></header>"""
CHROME_TAIL = """<aside><h3>Related stories</h3><ul><li><a href="/a">Bridge repairs finish early</a></li>
<li><a href="/b">Market moves to the square</a></li></ul></aside>
<div class="newsletter"><p>Sign up for our morning newsletter and get the valley's news in your inbox.</p></div>
<footer><p>© 2026 Alder Gazette. All rights reserved.</p><a href="/privacy">Privacy</a></footer>"""

PAGES = [
    (
        "Harbour wall to be rebuilt",
        [
            "PORT ALDER (Meridian Wire) - The county council voted on Monday to rebuild the harbour wall, ending two years of argument over who should pay.",
            "Engineers say the wall, built in 1887, has lost a third of its stones to winter storms and could fail within five years.",
            "The plan splits the cost between the county, the port authority and a national coastal fund.",
            "Fishing crews welcomed the decision but asked that the harbour stay open to boats during the work.",
        ],
        ["Advertisement", "Source: Meridian Wire"],
    ),
    (
        "Library saved by late donation",
        [
            "Millbrook's library will stay open after a retired teacher left the town a gift in her will, the trustees said.",
            "The library had been due to close in June because the council could no longer pay for its staff and heating.",
            "Trustees said the money would keep the doors open for at least ten years and pay for a new children's room.",
            "Readers gathered on the steps on Saturday to hear the news read aloud by the oldest member, aged 94.",
        ],
        ["Share this article", "Read more: Council budget cuts explained"],
    ),
    (
        "Tram line plans go on show",
        [
            "Plans for a tram line between Riverton and Greyfield go on show at the town hall this week.",
            "The line would run for eleven kilometres along the old railway path, with nine stops and a depot at Greyfield.",
            "Supporters say it would take two thousand cars off the valley road each day; opponents fear the cost.",
            "Comments can be left at the exhibition or online until the end of next month, the transport office said.",
            "A decision is expected in the autumn.",
        ],
        ["Tags: transport, Riverton", "Follow us on Twitter for updates."],
    ),
]


def html_of(title: str, body: list[str], noise: list[str]) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body)
    inner = "".join(f"<p>{n}</p>" for n in noise)
    return (
        f"<html><head><title>{title} | Alder Gazette</title></head><body>{CHROME_HEAD}<main><article>"
        f"<h1>{title}</h1><p class='byline'>By Mira Holt</p>{paras}{inner}</article></main>{CHROME_TAIL}</body></html>"
    )


@pytest.fixture(scope="module")
def scores():
    extractor = ArticleExtractor(ExtractOptions(min_chars=100))
    cleaner = Cleaner()
    out = []
    for title, body, noise in PAGES:
        found = extractor.extract(html_of(title, body, noise), "https://gazette.example/news/x")
        cleaned = cleaner.clean(found.paragraphs, title=found.title, titles=found.metadata.titles)
        truth = "\n\n".join(body).replace("PORT ALDER (Meridian Wire) - ", "")
        out.append(score_page(cleaned.text, truth))
    return out


def test_quality_floor(scores):
    precision, recall, f1 = aggregate(scores)
    assert precision >= 0.97, f"precision {precision:.3f} fell below the pinned floor 0.97"
    assert recall >= 0.97, f"recall {recall:.3f} fell below the pinned floor 0.97"
    assert f1 >= 0.97


def test_scoring_matches_benchmark_method():
    perfect = score_page("one two three four five", "one two three four five")
    assert (perfect.tp, perfect.fp, perfect.fn) == (1.0, 0.0, 0.0)
    half = score_page("a b c d e f g h", "a b c d x y z w")
    # 5 shingles each, 1 shared: TP 1, FP 4, FN 4, each over 9
    assert (
        half.tp == pytest.approx(1 / 9)
        and half.fp == pytest.approx(4 / 9)
        and half.fn == pytest.approx(4 / 9)
    )
    empty = score_page("", "a b c d")
    assert not empty.predicted and empty.recall == 0.0
    p, r, f = aggregate([perfect, empty])
    assert p == 1.0 and r == 0.5 and f == pytest.approx(2 / 3)
