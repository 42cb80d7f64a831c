"""Credit lines: forms, alias normalisation, the registry's spelling, site patterns and styles."""

from __future__ import annotations

import re

import pytest

from crawler.registry import parse_site
from pipelines.core.cleaning import Cleaner
from pipelines.core.credits import CreditFinder, PublisherNames, publisher_key


@pytest.fixture
def finder() -> CreditFinder:
    return CreditFinder(PublisherNames([("Meridian Wire", ["Meridian", "MW"])]))


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Aljazeera", "Al Jazeera"),
        ("Al Jazeera", "Al Jazeera"),
        ("AJ", "Al Jazeera"),
        ("al-jazeera", "Al Jazeera"),
        ("AFP", "Agence France-Presse"),
        ("The Associated Press", "Associated Press"),
        ("AP", "Associated Press"),
        ("reuters", "Reuters"),
        ("Meridian", "Meridian Wire"),
        ("MW", "Meridian Wire"),
        ("Valley Post", "Valley Post"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_alias_normalisation(name, canonical):
    assert PublisherNames([("Meridian Wire", ["Meridian", "MW"])]).normalise(name) == canonical


def test_registry_entry_overrides_builtin():
    names = PublisherNames([("Anadolu Agency", ["AA", "Anadolu Ajansi"])])
    assert names.normalise("Anadolu Ajansı") == "Anadolu Agency"
    assert publisher_key("The Guardian") == publisher_key("guardian")


@pytest.mark.parametrize(
    ("paragraph", "source", "kind"),
    [
        ("Source: Aljazeera", "Al Jazeera", "source"),
        ("SOURCE: Al Jazeera News", "Al Jazeera", "source"),
        ("Source: AJ", "Al Jazeera", "source"),
        ("Quelle: dpa", "Deutsche Presse-Agentur", "source"),
        ("Source: news agencies", None, "source"),
        ("This article first appeared on The Conversation.", "The Conversation", "first-appeared"),
        (
            "This story was originally published by Meridian Wire. Read the original.",
            "Meridian Wire",
            "first-appeared",
        ),
        ("With AFP", "Agence France-Presse", "with"),
        ("- With Reuters", "Reuters", "with"),
        ("With agencies", None, "with"),
        ("Additional reporting by Reuters", "Reuters", "reporting"),
        ("Additional reporting by Jo Marsh", None, "reporting"),
        ("(Reporting by Ana Ruiz; Editing by Ben Cole)", None, "reporting"),
        (
            "Associated Press writers Kim Lee and Sam Ford contributed to this report.",
            "Associated Press",
            "contributed",
        ),
        ("AFP", "Agence France-Presse", "agency"),
    ],
)
def test_whole_line_credits(finder, paragraph, source, kind):
    credit = finder.whole_line(paragraph)
    assert credit is not None, paragraph
    assert (credit.source, credit.kind) == (source, kind)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Sources close to the minister said the talks would resume: nobody expected a deal.",
        "June 26 -- Riverside Arena, Allentown, PA",
        "With the harbour closed, fishing crews moved to Port Alder for the season.",
        "The source of the leak was a cracked pipe under the square, engineers said on Friday after a long search.",
    ],
)
def test_ordinary_sentences_are_not_credits(finder, paragraph):
    assert finder.whole_line(paragraph) is None


@pytest.mark.parametrize(
    ("paragraph", "source", "rest"),
    [
        (
            "MOSCOW (Reuters) - Russia said on Monday it would not attend.",
            "Reuters",
            "Russia said on Monday it would not attend.",
        ),
        ("(AP) — The talks began.", "Associated Press", "The talks began."),
        ("WASHINGTON, Nov 3 (Reuters) - Stocks rose.", "Reuters", "Stocks rose."),
        ("PORT ALDER (Meridian) – The ferry returned.", "Meridian Wire", "The ferry returned."),
        ("KYIV (Ukrinform) - The army said so.", "Ukrinform", "The army said so."),
    ],
)
def test_dateline_prefix_is_cut_and_rest_kept(finder, paragraph, source, rest):
    credit = finder.dateline(paragraph)
    assert credit is not None
    assert (credit.source, credit.remainder) == (source, rest)


def test_parenthesis_in_a_sentence_is_not_a_dateline(finder):
    assert finder.dateline("Lavrov (pictured) - said nothing new.") is None


def test_agency_suffix_on_last_paragraph(finder):
    credit = finder.suffix("The minister said talks would go on next week. – NAN")
    assert credit is not None and credit.source == "News Agency of Nigeria"
    assert credit.remainder == "The minister said talks would go on next week."
    assert finder.suffix("He lives in Harrisburg, PA.") is None


def test_site_credit_pattern(finder):
    rx = re.compile(r"^Via (?P<source>.+?)\.?$")
    credit = finder.site_pattern("Via Aljazeera.", [rx])
    assert credit is not None and credit.source == "Al Jazeera" and credit.kind == "site"


# --- the registry's spelling, several wires on one site ------------------------------------------


STORY = [
    "The harbour board voted on Tuesday to run the Port Alder ferry every half hour from May, after a year of complaints about crowded boats.",
    "A second boat will be leased for the summer, and the board will decide in the autumn whether to buy it outright.",
    "Fares will stay the same until the end of the year, the board's chair said after the vote.",
]


def registry() -> dict:
    wire = parse_site(
        {
            "name": "meridian-wire",
            "publisher": "Meridian Wire",
            "aliases": ["Meridian", "MW"],
            "role": "original",
            "domains": ["wire.example"],
            "start": {"rss": ["https://wire.example/rss"]},
        },
        "meridian-wire.yaml",
    )
    aggregator = parse_site(
        {
            "name": "valley-digest",
            "publisher": "Valley Digest",
            "role": "syndicator",
            "domains": ["digest.example"],
            "start": {"rss": ["https://digest.example/rss"]},
            # the registry's own spelling of two wires the aggregator carries
            "carries": [
                "Meridian Wire",
                {"publisher": "Reuters News Agency", "aliases": ["Reuters"]},
                {"publisher": "The Canadian Press", "aliases": ["CP", "Presse Canadienne"]},
                {"publisher": "AFP", "aliases": ["Agence France-Presse"]},
            ],
        },
        "valley-digest.yaml",
    )
    return {s.name: s for s in (wire, aggregator)}


def credited(paragraphs: list[str]):
    sites = registry()
    return Cleaner.for_sites(sites).clean(paragraphs, site=sites["valley-digest"])


@pytest.mark.parametrize(
    ("paragraphs", "publisher", "line"),
    [
        (
            ["WASHINGTON (Reuters) - " + STORY[0], *STORY[1:]],
            "Reuters News Agency",
            "WASHINGTON (Reuters) -",
        ),
        (
            ["PORT ALDER, March 3 (MW) - " + STORY[0], *STORY[1:]],
            "Meridian Wire",
            "PORT ALDER, March 3 (MW) -",
        ),
        (["WASHINGTON (Reuters) -", *STORY], "Reuters News Agency", "WASHINGTON (Reuters) -"),
        (["By Reuters Staff", *STORY], "Reuters News Agency", "By Reuters Staff"),
        (
            ["By Meridian Wire staff writers", *STORY],
            "Meridian Wire",
            "By Meridian Wire staff writers",
        ),
        ([*STORY, "Source: Meridian"], "Meridian Wire", "Source: Meridian"),
        (
            [*STORY, "Source: Meridian Wire Service (UK)"],
            "Meridian Wire",
            "Source: Meridian Wire Service (UK)",
        ),
        (
            [*STORY, "- With files from The Canadian Press"],
            "The Canadian Press",
            "- With files from The Canadian Press",
        ),
        ([*STORY, "With files from CP"], "The Canadian Press", "With files from CP"),
        (
            [*STORY[:-1], STORY[-1] + " - With files from The Canadian Press"],
            "The Canadian Press",
            "- With files from The Canadian Press",
        ),
        ([*STORY, "(c) 2026 Agence France-Presse"], "AFP", "(c) 2026 Agence France-Presse"),
        (
            [*STORY, "© Meridian Wire 2026. All rights reserved."],
            "Meridian Wire",
            "© Meridian Wire 2026. All rights reserved.",
        ),
        (
            [*STORY, "Additional reporting by Reuters"],
            "Reuters News Agency",
            "Additional reporting by Reuters",
        ),
        (
            [*STORY, "This story first appeared on Meridian Wire."],
            "Meridian Wire",
            "This story first appeared on Meridian Wire.",
        ),
        ([*STORY, "With AFP"], "AFP", "With AFP"),
    ],
    ids=[
        "dateline",
        "dateline-with-date-alias",
        "dateline-alone-on-its-line",
        "by-staff",
        "by-staff-writers",
        "trailing-source",
        "trailing-source-longer-name",
        "with-files-from",
        "with-files-from-alias",
        "with-files-from-as-a-suffix",
        "copyright-c",
        "copyright-sign",
        "additional-reporting",
        "first-appeared",
        "with-agency",
    ],
)
def test_credit_forms_name_the_registry_publisher_and_leave_the_text(paragraphs, publisher, line):
    result = credited(paragraphs)
    assert result.credited_source == publisher
    assert result.credit_line == line
    assert result.paragraphs == STORY, result.paragraphs
    assert any(r.reason == "credit" for r in result.removed)


def test_a_site_carrying_several_wires_credits_each_article_to_its_own():
    sources = [
        credited([f"OTTAWA ({wire}) - " + STORY[0], *STORY[1:]]).credited_source
        for wire in ("Reuters", "CP", "Meridian", "AFP")
    ]
    assert sources == ["Reuters News Agency", "The Canadian Press", "Meridian Wire", "AFP"]


def test_the_story_credit_beats_an_additional_reporting_line():
    result = credited(["OTTAWA (CP) - " + STORY[0], *STORY[1:], "Additional reporting by Reuters"])
    assert result.credited_source == "The Canadian Press"
    assert result.paragraphs == STORY


def test_the_sites_own_copyright_credits_nobody():
    result = credited([*STORY, "© 2026 Valley Digest. All rights reserved."])
    assert result.credited_source is None and result.paragraphs == STORY


def test_credit_styles_limit_the_forms_tried():
    sites = registry()
    strict = parse_site(
        {
            "name": "valley-digest",
            "publisher": "Valley Digest",
            "role": "syndicator",
            "domains": ["digest.example"],
            "start": {"rss": ["https://digest.example/rss"]},
            "credit_styles": ["dateline"],
        },
        "valley-digest.yaml",
    )
    chart = [*STORY, "Source: Meridian"]
    result = Cleaner.for_sites(sites).clean(chart, site=strict)
    assert result.credited_source is None and result.paragraphs[-1] == "Source: Meridian"
    dated = Cleaner.for_sites(sites).clean(["OTTAWA (MW) - " + STORY[0]], site=strict)
    assert dated.credited_source == "Meridian Wire"


def test_a_dateline_after_a_summary_line_is_still_cut():
    summary = "Ferries every half hour, fares frozen: what the board decided."
    result = credited([summary, "PORT ALDER (Reuters) - " + STORY[0], *STORY[1:]])
    assert result.credited_source == "Reuters News Agency"
    assert result.paragraphs == [summary, *STORY]
