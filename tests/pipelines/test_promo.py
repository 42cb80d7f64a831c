"""Self-promotion after the story: who the site is, and which trailing paragraphs promote it."""

from __future__ import annotations

import pytest

from crawler.registry import parse_site
from pipelines.core.cleaning import Cleaner
from pipelines.core.promo import SiteIdentity, promo_reason, title_suffixes

STORY = [
    "Rescue crews reached the last of the stranded walkers on Greyfield Moor before dawn on Sunday, ending a search that had lasted two nights.",
    "The group of eleven had been cut off by rising water on the old drovers' road, the mountain rescue team said.",
    "All were taken to the cottage hospital at Millbrook and released by the afternoon.",
]
OSPREY = SiteIdentity.of(None, "https://www.ospreyfm.example/news/moor-rescue", ["Osprey FM"])


def test_identity_comes_from_the_registry_the_page_and_the_domain():
    site = parse_site(
        {
            "name": "osprey-fm",
            "publisher": "Osprey FM",
            "aliases": ["Osprey Radio"],
            "role": "syndicator",
            "domains": ["ospreyfm.example"],
            "start": {"rss": ["https://ospreyfm.example/rss"]},
        },
        "osprey-fm.yaml",
    )
    who = SiteIdentity.of(site, "https://ospreyfm.co.uk/x", ["The Valley's Own Osprey"])
    # one name per comparison key: 'osprey-fm' and the domain's 'ospreyfm' are Osprey FM again
    assert who.names == ("Osprey FM", "Osprey Radio", "The Valley's Own Osprey")
    # the domain's label alone names the site; generic labels do not
    assert SiteIdentity.of(None, "https://ospreyfm.example/a", []).keys == {"ospreyfm"}
    assert SiteIdentity.of(None, "https://news.example/a", []).keys == frozenset()
    assert title_suffixes(["Moor rescue ends", "Moor rescue ends | Osprey FM"]) == ["Osprey FM"]


@pytest.mark.parametrize(
    ("paragraph", "why"),
    [
        ("Osprey FM", "the site's name alone"),
        ("ospreyfm", "the site's name alone"),
        (
            "Osprey FM is the moorland's own community radio station, on air around the clock with music, news and weather.",
            "describes the site itself",
        ),
        (
            "Osprey FM: the moorland's number one station for music and news.",
            "describes the site itself",
        ),
        ("Listen to Osprey FM live on 98.4 FM or in the app.", "a pitch naming the site"),
        ("Download the Osprey FM app and never miss a bulletin.", "a pitch naming the site"),
        ("Osprey FM — the sound of the moor", "the site's name and slogan"),
        ("Stay tuned to Osprey FM for more on this story.", "a pitch naming the site"),
        ("For more local news, visit ospreyfm.example every day.", "a pitch naming the site"),
        ("Download our free news app for alerts as they happen.", "a listen/app/subscribe pitch"),
        ("Listen live now, wherever you are.", "a listen/app/subscribe pitch"),
    ],
)
def test_promos(paragraph, why):
    assert promo_reason(paragraph, OSPREY) == why


@pytest.mark.parametrize(
    "paragraph",
    [
        "The rescue team told Osprey FM that the road should not be used until the water drops.",
        "A spokesperson for the hospital said all eleven walkers were well.",
        "Osprey FM asked the council whether the road would be closed; it had not replied by Sunday evening.",
        STORY[0],
    ],
)
def test_story_sentences_naming_the_site_are_not_promos(paragraph):
    assert promo_reason(paragraph, OSPREY) is None


def test_one_page_without_a_site_file_loses_promo_and_slogan_keeps_the_story():
    paragraphs = [
        *STORY,
        "Source: Reuters",
        "Osprey FM",
        "Your moor, your music",
        "Osprey FM is the moorland's own community radio station, on air around the clock.",
    ]
    result = Cleaner().clean(paragraphs, identity=OSPREY)
    assert result.paragraphs == STORY
    assert result.credited_source == "Reuters"
    assert [r.reason for r in result.removed] == ["promo", "promo", "promo", "credit"]


def test_a_story_ending_with_the_sites_name_keeps_its_last_paragraph():
    last = "Osprey FM asked the council whether the road would be closed; it had not replied by Sunday evening."
    result = Cleaner().clean([*STORY, last], identity=OSPREY)
    assert result.paragraphs == [*STORY, last]


def test_a_credit_naming_the_page_itself_credits_nobody():
    result = Cleaner().clean([*STORY, "Source: Osprey FM"], identity=OSPREY)
    assert result.paragraphs == STORY and result.credited_source is None
