"""The extraction core's cascade on page shapes trafilatura's fast pass gets wrong.

Each page is our own writing, shaped like a pattern seen on real pages: a body split over
same-class containers between ads, a body in ``<div>``/``<br>`` without ``<p>``, a lead outside the
body container, teaser links after the story. Each test asserts what the fast pass alone misses.
"""

from __future__ import annotations

import pytest
import trafilatura
from trafilatura.utils import load_html

from pipelines.core.extraction import ArticleExtractor, ExtractOptions
from pipelines.core.pagetext import read_page_text
from pipelines.core.split_body import continue_split_body

PARTS = [
    [
        "The ferry between Port Alder and Greyfield will run every half hour from May, the harbour board said on Tuesday after a year of complaints about crowded crossings.",
        "The board will lease a second boat for the summer and decide in the autumn whether to buy it, which would cost about four million.",
        "Commuters have waited up to an hour at peak times since the old timetable was cut to save fuel during the winter.",
        "Some have taken to driving the long way round the estuary instead, which adds forty minutes and a toll.",
    ],
    [
        "Harbour staff say the quay at Greyfield needs a new ramp before two boats can use it at once, a job they hope to finish in April.",
        "The union representing the crews welcomed the plan but asked for more staff, saying the current rota already leaves no one spare for sickness.",
        "A survey by the board found that nine in ten passengers would pay slightly more for a ferry that ran on time and every thirty minutes.",
    ],
    [
        "Fares will stay the same until the end of the year, the board said, and season tickets bought before May will be honoured on both boats.",
        "The first half-hourly crossing will leave Port Alder at six in the morning on the first Monday of May, with a brass band on the quay.",
    ],
]
NEXT_ARTICLE = [
    "Millbrook's library reopened on Saturday after a roof repair that took three months longer than planned and cost twice the first estimate.",
    "Readers queued along the high street before the doors opened, and the first book borrowed was a field guide to the valley's birds.",
]


def split_page(next_article: bool = True) -> str:
    def part(paras: list[str]) -> str:
        return '<div class="article-body">' + "".join(f"<p>{p}</p>" for p in paras) + "</div>"

    ad = '<div class="ad-slot"><p>Advertisement</p></div>'
    newsletter = '<aside class="signup"><p>Get the valley in your inbox every morning.</p></aside>'
    following = ""
    if next_article:
        following = (
            '<article><h1>Library reopens after roof repair</h1><div class="article-body">'
            + "".join(f"<p>{p}</p>" for p in NEXT_ARTICLE)
            + "</div></article>"
        )
    return (
        "<html><head><title>Ferries every half hour from May</title></head><body>"
        "<article><h1>Ferries every half hour from May</h1>"
        f"{part(PARTS[0])}{ad}{part(PARTS[1])}{newsletter}{part(PARTS[2])}</article>"
        f"{following}</body></html>"
    )


@pytest.fixture(scope="module")
def extractor() -> ArticleExtractor:
    return ArticleExtractor(ExtractOptions(min_chars=100))


def test_fast_pass_alone_stops_after_the_first_part():
    options = ExtractOptions().trafilatura_options()
    text = trafilatura.extract(load_html(split_page()), options=options) or ""
    assert PARTS[0][0] in text and PARTS[2][-1] not in text  # the case the cascade is for


def test_a_split_body_is_joined_and_the_next_article_left_out(extractor):
    found = extractor.extract(split_page(), "https://gazette.example/news/ferries")
    assert found.paragraphs == [p for part in PARTS for p in part]
    assert found.pass_used == "split-body"
    assert not any(p in found.text for p in NEXT_ARTICLE)


def test_split_body_needs_a_located_paragraph():
    tree = load_html(split_page())
    assert (
        continue_split_body(
            tree, ["A paragraph that is on no page at all, however long it is made to be."]
        )
        is None
    )


DIV_BODY = [
    "The valley's bus company will add a night service on Fridays and Saturdays from next month, after a trial last summer carried more riders than expected.",
    "Buses will leave Riverton square every hour from eleven until three in the morning, stopping at Millbrook, Greyfield and the hospital.",
    "The council will pay for the first year; after that the company hopes fares will cover the cost, its manager said.",
    "Night workers at the hospital had asked for the service for years, saying taxis home after a late shift cost them a day's pay each week.",
    "Drivers will get a new rest room at the depot, and two extra drivers will be hired before the first night bus runs.",
]


def br_page() -> str:
    """A body written as text runs between <span class="br"> markers in one <div>, no <p>."""
    runs = '<span class="br"></span>'.join(DIV_BODY)
    teaser = "".join(
        f'<li><a href="/news/{i}">Other story number {i} about the valley</a></li>'
        for i in range(12)
    )
    return (
        "<html><head><title>Night buses for the valley</title></head><body>"
        f'<div class="page"><div class="story"><h1>Night buses for the valley</h1>'
        f'<div class="story-body">{runs}<div class="ad"><div id="slot"></div></div></div></div>'
        f'<ul class="more">{teaser}</ul></div></body></html>'
    )


def test_body_outside_p_is_checked_by_the_full_cascade(extractor):
    page = br_page()
    assert read_page_text(load_html(page)).paragraph_chars == 0
    found = extractor.extract(page, "https://buses.example/news/night")
    for sentence in DIV_BODY:
        assert sentence in found.text


LEAD = "Two boats, a new timetable and the same fares: the harbour board's answer to a year of crowded crossings."


def lead_page() -> str:
    body = "".join(f"<p>{p}</p>" for p in PARTS[0] + PARTS[1])
    return (
        f'<html><head><title>Ferries every half hour</title><meta property="og:description" content="{LEAD}">'
        "</head><body><article><header><h1>Ferries every half hour</h1>"
        f'<div class="standfirst">{LEAD}</div></header>'
        f'<div class="article-body">{body}</div></article></body></html>'
    )


def test_the_lead_outside_the_body_container_opens_the_text(extractor):
    found = extractor.extract(lead_page(), "https://gazette.example/news/ferries")
    assert found.paragraphs[0] == LEAD and found.paragraphs[1] == PARTS[0][0]
    assert found.text.count(LEAD) == 1


def test_a_description_no_element_shows_adds_nothing(extractor):
    page = lead_page().replace(f'<div class="standfirst">{LEAD}</div>', "")
    found = extractor.extract(page, "https://gazette.example/news/ferries")
    assert LEAD not in found.text


def test_paragraphs_that_are_whole_links_are_marked(extractor):
    teasers = [
        "Library reopens after roof repair runs over budget and months late",
        "Greyfield market moves to the old station yard for the summer season",
        "Riverton council votes to keep the swimming pool open for another year",
    ]
    # headlines of other stories, one per paragraph: trafilatura keeps them
    related = "".join(f'<p><a href="/news/{i}">{t}</a></p>' for i, t in enumerate(teasers))
    toc = '<p><a href="#fares">Fares will stay the same until the end of the year</a></p>'
    body = "".join(f"<p>{p}</p>" for p in PARTS[0])
    page = f"<html><body><article><h1>Ferries</h1>{toc}{body}{related}</article></body></html>"
    found = extractor.extract(page, "https://gazette.example/news/ferries")
    assert set(teasers) <= set(found.paragraphs) and set(teasers) <= found.linked
    assert not found.linked & set(PARTS[0])
    assert (
        "Fares will stay the same until the end of the year" not in found.linked
    )  # an in-page anchor


def test_cascade_options_are_checked():
    with pytest.raises(ValueError, match="rescue_below_share"):
        ExtractOptions(rescue_below_share=1.5)
    with pytest.raises(ValueError, match="rescue_growth"):
        ExtractOptions(rescue_growth=0.5)
