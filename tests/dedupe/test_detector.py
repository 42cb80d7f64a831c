from __future__ import annotations

import random
from pathlib import Path

import pytest

from crawler.config import read_options
from pipelines.core.dedupe import (
    ArticleInput,
    MemoryIndex,
    SyndicationDetector,
    SyndicationOptions,
    cluster_id,
)
from pipelines.core.dedupe.sqlite_index import SqliteIndex
from pipelines.stage_options import SyndicationStageOptions
from tests.dedupe.conftest import HARBOUR, FakeSite

DAY = "2026-03-0{}T09:00:00+00:00"


def art(url: str, text: str, site: str, day: int = 1, **kw: object) -> ArticleInput:
    return ArticleInput(url=url, text=text, site=site, published_at=DAY.format(day), **kw)  # type: ignore[arg-type]


def detector(
    sites: dict[str, FakeSite], index: object | None = None, **opts: object
) -> SyndicationDetector:
    return SyndicationDetector(
        index or MemoryIndex(), sites, SyndicationOptions(text_cache=0, **opts)
    )  # type: ignore[arg-type]


def test_trimmed_to_40_percent_is_found_and_linked(sites, harbour_text) -> None:
    det = detector(sites)
    assert (
        det.process(art("https://wire/a", harbour_text, "coast-wire")).syndication.status
        == "unique"
    )
    words = harbour_text.split()
    copy = " ".join(words[: int(len(words) * 0.4)])
    res = det.process(art("https://radio/a", copy, "valley-radio", day=2))
    assert res.syndication.status == "republication"
    assert res.syndication.original_url == "https://wire/a"
    assert res.syndication.cluster_id == cluster_id("https://wire/a")
    assert "role:original" in res.syndication.evidence
    assert [u.url for u in res.updates] == ["https://wire/a"]
    assert res.updates[0].syndication.copies == ["https://radio/a"]


def test_lsh_recall_for_40_percent_trims_of_many_stories(sites) -> None:
    rng = random.Random(3)
    vocab = [
        f"{a}{b}{c}" for a in "bdfgklmnprst" for b in "aeiou" for c in ("n", "r", "l", "s", "")
    ]
    det = detector(sites)
    stories = []
    for i in range(60):
        words = rng.choices(vocab, k=rng.randint(120, 900))
        text = "\n\n".join(" ".join(words[j : j + 40]) for j in range(0, len(words), 40))
        stories.append(text)
        assert (
            det.process(art(f"https://wire/{i}", text, "coast-wire")).syndication.status == "unique"
        )
    linked = 0
    for i, text in enumerate(stories):
        words = text.split()
        res = det.process(
            art(
                f"https://radio/{i}",
                " ".join(words[: int(len(words) * 0.4)]),
                "valley-radio",
                day=2,
            )
        )
        linked += res.syndication.original_url == f"https://wire/{i}"
    assert linked == len(stories)


def test_independent_report_sharing_one_quote_is_not_a_copy(
    sites, harbour_text, orchard_text
) -> None:
    det = detector(sites)
    det.process(art("https://wire/pier", harbour_text, "coast-wire"))
    quote = HARBOUR[4]
    report = orchard_text + f'\n\nAt a meeting in Port Elling the mayor repeated: "{quote}"'
    res = det.process(art("https://gazette/orchard", report, "north-gazette", day=2))
    assert res.syndication.status == "unique"
    assert not res.updates


def test_wrapped_in_promos_and_chrome_is_found(sites, harbour_text) -> None:
    det = detector(sites)
    det.process(art("https://wire/pier", harbour_text, "coast-wire"))
    wrapped = (
        "Listen live every morning from six on our app.\n\nHome News Sport Weather Contact\n\n"
        + harbour_text
        + "\n\nSource: Coast Wire\n\nShare this story Print Email"
    )
    res = det.process(
        art("https://daily/pier", wrapped, "town-daily", day=2, credited_source="Coast Wire")
    )
    assert res.syndication.status == "republication"
    assert "credit:Coast Wire" in res.syndication.evidence


def reword(text: str) -> str:
    """A heavy rewording: every third word pair swapped, short words replaced, sentences reversed."""
    out = []
    for para in text.split("\n\n"):
        words = para.split()
        words = [("so" if len(w) < 4 and i % 2 else w) for i, w in enumerate(words)]
        for i in range(0, len(words) - 1, 3):
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(reversed(" ".join(words).split(". "))))
    return "\n\n".join(out)


def test_credited_reworded_copy_links_with_the_lower_bar(sites, harbour_text, orchard_text) -> None:
    det = detector(sites)
    det.process(
        art(
            "https://wire/pier", harbour_text, "coast-wire", title="Grain pier to close for repairs"
        )
    )
    det.process(
        art("https://wire/apples", orchard_text, "coast-wire", title="Frost cuts apple harvest")
    )
    copy = reword(harbour_text)
    plain = det.process(
        art("https://daily/pier", copy, "town-daily", day=2, title="Grain pier closes for repairs")
    )
    assert plain.syndication.status == "unique"  # without a credit the rewording is not a copy
    res = det.process(
        art(
            "https://radio/pier",
            copy,
            "valley-radio",
            day=2,
            title="Grain pier closes for repairs",
            credited_source="CW",
        )
    )
    assert res.syndication.status == "republication"
    assert res.syndication.original_url == "https://wire/pier"
    assert res.counters["credited_linked"] == 1


def test_late_original_links_both_ways(sites, harbour_text) -> None:
    det = detector(sites)
    copy = reword(harbour_text)
    first = det.process(
        art(
            "https://radio/pier",
            copy,
            "valley-radio",
            day=2,
            title="Grain pier closes for repairs",
            credited_source="Coast Wire",
        )
    )
    assert first.syndication.status == "unique"
    assert first.counters["pending_added"] == 1
    late = det.process(
        art(
            "https://wire/pier",
            harbour_text,
            "coast-wire",
            day=1,
            title="Grain pier to close for repairs",
        )
    )
    assert late.syndication.status == "original"
    assert late.syndication.copies == ["https://radio/pier"]
    assert late.counters["pending_linked"] == 1
    [update] = late.updates
    assert update.url == "https://radio/pier"
    assert update.syndication.status == "republication"
    assert update.syndication.original_url == "https://wire/pier"
    assert "late-original" in update.syndication.evidence


def test_verbatim_copy_first_then_original_by_role_and_canonical(sites, harbour_text) -> None:
    det = detector(sites)
    det.process(
        ArticleInput(
            url="https://radio/pier",
            canonical_url="https://wire/pier",
            text=harbour_text,
            site="valley-radio",
            published_at=DAY.format(1),
        )
    )
    res = det.process(art("https://wire/pier", harbour_text, "coast-wire", day=2))
    assert res.syndication.status == "original"
    [update] = res.updates
    assert update.syndication.original_url == "https://wire/pier"
    assert {"role:original", "canonical-elsewhere"} <= set(update.syndication.evidence)


def test_outside_the_window_is_not_linked(sites, harbour_text) -> None:
    det = detector(sites, window_days=3)
    det.process(art("https://wire/pier", harbour_text, "coast-wire", day=1))
    assert (
        det.process(
            art("https://radio/pier", harbour_text, "valley-radio", day=6)
        ).syndication.status
        == "unique"
    )


def test_cluster_id_stable_across_reopened_sqlite_index(
    tmp_path: Path, sites, harbour_text
) -> None:
    path = tmp_path / "syn.sqlite3"
    det = detector(sites, SqliteIndex(path))
    det.process(art("https://wire/pier", harbour_text, "coast-wire"))
    first = det.process(art("https://radio/pier", harbour_text, "valley-radio", day=2)).syndication
    det.index.close()
    det2 = detector(sites, SqliteIndex(path))
    second = det2.process(
        art("https://daily/pier", harbour_text + "\n\nSource: Coast Wire", "town-daily", day=3)
    )
    again = det2.process(art("https://radio/pier", harbour_text, "valley-radio", day=2))
    assert second.syndication.cluster_id == first.cluster_id == cluster_id("https://wire/pier")
    assert again.syndication.cluster_id == first.cluster_id and again.counters["known"] == 1
    assert second.updates[0].syndication.copies == ["https://radio/pier", "https://daily/pier"]
    det2.index.close()


def test_empty_text_is_unique_with_reason(sites) -> None:
    res = detector(sites).process(art("https://wire/empty", "  ", "coast-wire"))
    assert res.syndication.status == "unique" and res.syndication.evidence == ["no-text"]


def test_bad_option_names_the_option_and_from_settings_the_setting() -> None:
    with pytest.raises(
        ValueError, match=r"^min_containment=2.0: expected a number from 0.05 to 1.0$"
    ):
        SyndicationOptions(min_containment=2.0)
    # read from the settings, the stage's declaration refuses it first, naming the setting
    with pytest.raises(ValueError, match=r"^SYNDICRAWL_SYNDICATION_MIN_CONTAINMENT: bad value 2.0"):
        read_options(SyndicationStageOptions, {"SYNDICRAWL_SYNDICATION_MIN_CONTAINMENT": 2.0})
