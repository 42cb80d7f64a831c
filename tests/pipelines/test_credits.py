"""Credit lines: forms, alias normalisation, site patterns and the dateline prefix."""

from __future__ import annotations

import re

import pytest

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
