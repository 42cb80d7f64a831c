"""Shared text for the syndication tests: our own made-up stories, built from sentence lists."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class FakeSite:
    name: str
    role: str
    publisher: str
    aliases: tuple[str, ...] = ()


HARBOUR = [
    "The harbour authority of Port Elling voted on Tuesday to close the old grain pier for two years of repairs.",
    "Engineers found that three of the wooden pilings under the pier had rotted through after decades of salt water.",
    "Fishing crews who unload at the pier said they would move to the northern quay, which is smaller and costs more to use.",
    "The repair budget of 14 million crowns will come mostly from a regional fund set up after last winter's storms.",
    "Mayor Tilda Ransgaard said the town could not risk a collapse while children still fished from the end of the pier.",
    "A ferry operator warned that summer timetables might change because the northern quay cannot berth two boats at once.",
    "Local historians asked that the carved lamp posts on the pier be stored and reinstalled once the work is finished.",
    "The authority promised a public meeting next month where residents can look at the engineers' drawings.",
    "Contractors will begin by removing the rail tracks that once carried grain wagons to the ships.",
    "Work is expected to start in early spring, weather permitting, and the pier should reopen before the autumn festival two years later.",
    "Shopkeepers on Quay Street fear that the loss of visitors walking to the pier will cut their takings over the summer.",
    "The authority said temporary signs would guide visitors to a viewing platform next to the lifeboat station.",
]
ORCHARD = [
    "Apple growers in the Vennick valley expect their smallest harvest in a decade after a late frost hit the blossom in May.",
    "The growers' cooperative said yields could fall by a third, with the early varieties suffering most.",
    "Several farms have already cancelled contracts with seasonal pickers who usually arrive from the coast in September.",
    "Cider makers, who buy the bruised fruit, said they would import apples from the south to keep their presses running.",
    "The valley's agricultural adviser urged growers to apply for frost compensation before the end of the month.",
    "Older farmers recalled a similar frost forty years ago that drove many small orchards out of business.",
    "The cooperative plans to test frost fans and sprinklers on two farms next spring to see whether they protect the buds.",
    "Prices for local apples in the weekly market have already risen, traders said.",
    "A regional bank offered growers a year of deferred payments on equipment loans.",
    "Researchers at the valley college are collecting damaged blossoms to study which trees resisted the cold.",
]


def paragraphs(sentences: list[str], per: int = 2) -> str:
    return "\n\n".join(" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per))


@pytest.fixture
def harbour_text() -> str:
    return paragraphs(HARBOUR)


@pytest.fixture
def orchard_text() -> str:
    return paragraphs(ORCHARD)


@pytest.fixture
def sites() -> dict[str, FakeSite]:
    return {
        "coast-wire": FakeSite("coast-wire", "original", "Coast Wire", ("CW",)),
        "valley-radio": FakeSite("valley-radio", "syndicator", "Valley Radio"),
        "town-daily": FakeSite("town-daily", "syndicator", "Town Daily"),
        "north-gazette": FakeSite("north-gazette", "original", "North Gazette"),
    }
