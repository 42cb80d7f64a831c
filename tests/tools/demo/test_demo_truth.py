"""The demo truth: regenerates identically, has the promised shape, matches the site configs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.registry import load_sites
from syndicrawl_tools.demo import demo_sites_dir
from syndicrawl_tools.demo.content import KEEP_RANGE, MAX_SPAN, ContentError, data_dir, load_content
from syndicrawl_tools.demo.timeline import NOMINAL_NOW, PATH_DATE, Timeline
from syndicrawl_tools.demo.truth import build_truth, dumps, load_truth, truth_path

DATELINE = re.compile("^[A-Z][A-Z .'-]+ \\([^)]+\\) [-\u2013\u2014] ")


@pytest.fixture(scope="module")
def truth():
    return load_truth(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


def test_committed_truth_equals_regenerated() -> None:
    fresh = dumps(build_truth())
    assert truth_path().read_text(encoding="utf-8") == fresh, (
        "syndicrawl_tools/demo/data/truth.json is stale: run `python -m syndicrawl_tools.demo.truth --write` and review the diff"
    )


def test_counts(truth) -> None:
    arts = truth.articles
    assert len(arts) >= 40
    originals = truth.with_status("original")
    assert len(originals) >= 3
    assert any(a.site == "meridian-wire" for a in originals), "the wire service has originals"
    assert any(a.language != "en" for a in originals), "a foreign-language site has originals"
    kinds = {(a.site, a.copy_kind) for a in arts if a.copy_kind}
    assert ("kestrel-fm", "promo_credit") in kinds
    assert ("newsdeck", "chrome") in kinds
    assert {"trimmed", "edited", "headline_rewritten"} <= {
        k for s, k in kinds if s == "riverton-courier"
    }
    independents = [a for a in arts if a.kind == "independent"]
    assert len(independents) >= 5
    assert truth.js_rendered == {"valley-ledger"} and truth.for_site("valley-ledger")
    assert sum(a.status == "unique" and a.kind == "unique" for a in arts) >= 3


def test_independent_reports_are_hard_negatives(truth) -> None:
    for a in (a for a in truth.articles if a.kind == "independent"):
        same_event = [b for b in truth.articles if b.event == a.event and b.key != a.key]
        assert same_event, f"{a.key} shares its event with no other article"
        assert all(b.story != a.story for b in same_event)
        assert a.status == "unique" and a.original is None


def test_copies_point_at_their_original(truth) -> None:
    publishers = {name: s["publisher"] for name, s in truth.sites.items()}
    for c in truth.with_status("republication"):
        assert c.original is not None
        orig = truth.article(*c.original)
        assert orig.status == "original" and orig.story == c.story
        assert c.credited_source in (None, publishers[orig.site])
        assert c.published_at > orig.published_at, f"{c.key} is dated before its original"
        gap = c.published_datetime() - orig.published_datetime()
        assert gap < timedelta(days=14), f"{c.key}: outside the syndication window"
        if c.copy_kind in ("promo_credit", "chrome", "verbatim"):
            assert c.text == orig.text and c.title == orig.title
        if c.copy_kind in ("trimmed", "edited", "headline_rewritten"):
            share = len(c.text.split("\n\n")) / len(orig.text.split("\n\n"))
            assert KEEP_RANGE[0] <= share <= KEEP_RANGE[1]
        if c.copy_kind == "headline_rewritten":
            assert c.title != orig.title
        if c.copy_kind == "edited":
            assert c.text != "\n\n".join(orig.text.split("\n\n")[: len(c.text.split("\n\n"))])


def test_truth_texts_have_no_promo_or_credit(truth) -> None:
    content = load_content()
    promos = {s.promo for s in content.sites.values() if s.promo}
    assert promos
    for a in truth.articles:
        for promo in promos:
            assert promo not in a.text, a.key
        for para in a.text.split("\n\n"):
            assert not para.startswith(
                ("Source:", "Via ", "With ", "This article first appeared")
            ), (a.key, para)
            assert not DATELINE.match(para), (a.key, para)
        assert a.title not in a.text


def test_fields_are_well_formed(truth) -> None:
    for a in truth.articles:
        assert a.published_at and a.published_at.endswith("+00:00"), a.key
        assert a.updated_at is None or a.updated_at.endswith("+00:00")
        assert a.date_precision in ("minute", "hour", "day")
        assert a.status in ("original", "republication", "unique")
        assert a.authors and a.title and a.language in ("en", "es")
        assert (
            (a.status == "republication") == (a.copy_kind is not None) == (a.original is not None)
        )
        words = len(a.text.split())
        assert 100 <= words <= 500, (a.key, words)
        if a.kind == "original":
            assert words >= 250, (a.key, words)


def test_nominal_now_is_one_hour_after_the_newest_date() -> None:
    content = load_content()
    dated = content.nominal_dates()
    assert max(dated) + timedelta(hours=1) == NOMINAL_NOW, (
        "move NOMINAL_NOW in syndicrawl_tools/demo/timeline.py to one hour after the newest date"
    )
    assert NOMINAL_NOW - min(dated) < MAX_SPAN


def test_load_truth_shifts_every_date_by_the_start_minute() -> None:
    start = datetime(2026, 11, 27, 12, 0, 59, 500, tzinfo=UTC)
    shift = datetime(2026, 11, 27, 12, 0, tzinfo=UTC) - NOMINAL_NOW
    nominal = load_truth(NOMINAL_NOW).articles
    truth = load_truth(start)
    assert truth.shift == shift and truth.start_time == start
    for n, a in zip(nominal, truth.articles, strict=True):
        assert a.site == n.site and a.title == n.title
        assert a.published_datetime() == n.published_datetime() + shift, a.key
        assert a.published_datetime() < start and a.published_datetime().second == 0
        assert (a.updated_at is None) == (n.updated_at is None), a.key
        if a.updated_at and n.updated_at:
            updated = datetime.fromisoformat(a.updated_at)
            assert updated == datetime.fromisoformat(n.updated_at) + shift and updated < start
        assert a.date_precision == n.date_precision


def test_dated_paths_carry_the_served_publication_day() -> None:
    """``/news/2026/03/09/slug/`` moves with the dates: a URL never contradicts its page."""
    start = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # late: some local days roll over
    nominal = load_truth(NOMINAL_NOW)
    truth = load_truth(start)
    moved = 0
    for n, a in zip(nominal.articles, truth.articles, strict=True):
        m = PATH_DATE.search(a.path)
        assert (m is None) == (PATH_DATE.search(n.path) is None), a.key
        if m is None:
            assert a.path == n.path
            continue
        local = a.published_datetime().astimezone(ZoneInfo(truth.sites[a.site]["timezone"]))
        want = f"/{local:%Y}/{local:%m}" + (f"/{local:%d}" if m["d"] else "")
        assert m.group(0) == want, (a.key, n.path)
        assert a.path.replace(m.group(0), "") == PATH_DATE.sub("", n.path, count=1)
        moved += 1
        if a.original:
            assert a.original in {x.key for x in truth.articles}
    assert moved >= 15
    assert truth.disallowed["meridian-wire"] == (
        "/drafts/stories/2026/11/regional-budget-embargoed.html",
    )


def test_relative_dates_are_ages_at_the_start_time() -> None:
    start = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
    truth = load_truth(start)
    relative = [a for a in truth.articles if a.relative_age_seconds is not None]
    assert relative and {a.date_precision for a in relative} == {"hour", "day"}
    for a in relative:
        assert a.site == "newsdeck" and a.status == "republication"
        age = timedelta(seconds=a.relative_age_seconds or 0)
        assert a.published_datetime() == start - age
        assert (age < timedelta(days=1)) == (a.date_precision == "hour")
    # the nominal file: 25 March 03:30 (frost + 1d20h) is 5h30m before NOMINAL_NOW
    frost = load_truth(NOMINAL_NOW).article(
        "newsdeck", "/a/48302-late-frost-threatens-millbrook-orchards"
    )
    assert frost.relative_age_seconds == 5 * 3600 + 30 * 60


def test_timeline_rejects_bad_start_times() -> None:
    with pytest.raises(ValueError, match="has no UTC offset"):
        Timeline(datetime(2026, 11, 27, 9, 0))
    with pytest.raises(ValueError, match="dates before 1990"):
        load_truth(datetime(1990, 6, 1, tzinfo=UTC))


def test_truth_matches_registry_configs(truth) -> None:
    configs = load_sites(demo_sites_dir())
    assert set(configs) == set(truth.sites)
    for name, cfg in configs.items():
        assert cfg.publisher == truth.sites[name]["publisher"]
        assert cfg.render_javascript == (name in truth.js_rendered)
        assert cfg.role == truth.sites[name]["role"], name
        assert str(cfg.base_url) == "http://demo.invalid/"
        for a in truth.for_site(name):
            assert cfg.is_article_url(a.path), (name, a.path)
        for path in truth.disallowed.get(name, ()):
            assert cfg.is_article_url(path), (
                "drafts look like articles: only robots.txt keeps them out"
            )
    assert not configs["kestrel-fm"].boilerplate.patterns, (
        "the promo must be learned, not configured"
    )


def test_credit_lines_match_site_credit_patterns() -> None:
    configs = load_sites(demo_sites_dir())
    content = load_content()
    for page in content.pages:
        if not page.credit_text:
            continue
        cfg = configs[page.site]
        match = next((m for rx in cfg.credit_patterns if (m := rx.search(page.credit_text))), None)
        assert match, (
            f"{page.key}: credit {page.credit_text!r} matches no credit_patterns of {page.site}"
        )
        assert page.original is not None
        orig_cfg = configs[page.original[0]]
        assert match["source"] in (orig_cfg.publisher, *orig_cfg.aliases), (
            page.key,
            match["source"],
        )


def _edited_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """The data files in ``tmp_path`` with ``old`` replaced by ``new`` once in ``name``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for f in data_dir().glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == name:
            assert old in text
            text = text.replace(old, new, 1)
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    return tmp_path


def test_bad_content_is_a_clear_error(tmp_path: Path) -> None:
    folder = _edited_copy(
        tmp_path / "swap",
        "riverton-courier.yaml",
        '["emergency crews", "rescue teams"]',
        '["no such words", "x"]',
    )
    with pytest.raises(
        ContentError, match=r"swaps\[1\]: 'no such words' is not in the kept paragraphs"
    ):
        load_content(folder)


@pytest.mark.parametrize(
    ("name", "old", "new", "error"),
    [
        (
            "valley-ledger.yaml",
            '"2026-03-25 08:00"',
            '"2026-03-25 09:30"',
            r"farmers-market-moves-to-square: published 2026-03-25T09:30:00\+00:00 is not before NOMINAL_NOW",
        ),
        ("newsdeck.yaml", "delay: 50m", "delay: 12d19h", r"48227-.*is not before NOMINAL_NOW"),
        ("valley-ledger.yaml", '"2026-03-25 08:00"', '"2024-03-25 08:00"', r"more than 365 days"),
        (
            "newsdeck.yaml",
            "delay: 50m",
            "relative_age: 5h",
            r"copies\[1\]\.relative_age: no longer",
        ),
        (
            "newsdeck.yaml",
            "    date_display: relative",
            "    date_display: fuzzy",
            r"date_display: 'fuzzy'",
        ),
    ],
)
def test_dates_outside_the_timeline_are_clear_errors(
    tmp_path: Path, name: str, old: str, new: str, error: str
) -> None:
    with pytest.raises(ContentError, match=error):
        load_content(_edited_copy(tmp_path, name, old, new))
