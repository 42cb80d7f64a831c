from __future__ import annotations

from typing import Any

import pytest

from crawler.config import read_options
from crawler.monitoring.document import RunDocument, build_run
from crawler.monitoring.monitors import MonitorOptions, MonitorResult, run_monitors
from tests.monitoring.conftest import healthy_site, raw_stats, run_id_at, standard_raw

OPTIONS = MonitorOptions()


def run_of(per_site: dict[str, dict[str, int]], day: int = 10, **extra: Any) -> RunDocument:
    return build_run(raw_stats(per_site, **extra), list(per_site), run_id_at(day), None, None, 0)


def only(results: list[MonitorResult], monitor: str, site: str | None) -> MonitorResult:
    [result] = [r for r in results if r.monitor == monitor and r.site == site]
    return result


def check(
    run: RunDocument, monitor: str, site: str | None, history: list[RunDocument] | None = None
) -> MonitorResult:
    return only(run_monitors(run, history or [], OPTIONS, only=[monitor]), monitor, site)


@pytest.mark.parametrize(
    ("counts", "passed"),
    [
        pytest.param(healthy_site(5), True, id="exported"),
        pytest.param(
            {"discovery/discovered": 30, "discovery/skipped_unchanged": 30},
            True,
            id="all-unchanged-incremental",
        ),
        pytest.param(
            {"discovery/discovered": 8, "fetch/article_fetched": 8, "revisit/unchanged": 8},
            True,
            id="text-unchanged",
        ),
        pytest.param(
            {"discovery/discovered": 8, "fetch/failed/http_500": 8}, False, id="all-failed"
        ),
        pytest.param({}, False, id="nothing-discovered"),
    ],
)
def test_no_articles(counts: dict[str, int], passed: bool) -> None:
    result = check(run_of({"site-a": counts}), "no_articles", "site-a")
    assert result.passed is passed
    assert "site-a" in result.message
    if not passed:
        assert result.message.startswith("site site-a yielded no articles: 0 exported")


@pytest.mark.parametrize(
    ("failed", "fetched", "passed", "figure"),
    [
        pytest.param(0, 20, True, 0.0, id="no-errors"),
        pytest.param(4, 16, True, 0.2, id="at-threshold"),
        pytest.param(5, 15, False, 0.25, id="above"),
        pytest.param(16, 2, False, 0.8889, id="server-errors"),
    ],
)
def test_error_rate(failed: int, fetched: int, passed: bool, figure: float) -> None:
    run = run_of({"site-a": {"fetch/article_fetched": fetched, "fetch/failed/http_500": failed}})
    result = check(run, "error_rate", "site-a")
    assert (result.passed, result.figure, result.threshold) == (passed, figure, 0.2)
    assert f"fetch error rate {figure:.2f}" in result.message and "site site-a" in result.message
    if failed:
        assert f"http_500 {failed}" in result.message


def test_error_rate_leaves_robots_refusals_out() -> None:
    run = run_of({"site-a": {"fetch/article_fetched": 10, "fetch/failed/robots": 40}})
    assert check(run, "error_rate", "site-a").passed


def test_error_rate_threshold_from_settings() -> None:
    run = run_of({"site-a": {"fetch/article_fetched": 15, "fetch/failed/timeout": 5}})
    strict = read_options(MonitorOptions, {"SYNDICRAWL_MONITOR_MAX_ERROR_RATE": "0.1"})
    lenient = read_options(MonitorOptions, {"SYNDICRAWL_MONITOR_MAX_ERROR_RATE": 0.5})
    assert not run_monitors(run, [], strict, only=["error_rate"])[0].passed
    assert run_monitors(run, [], lenient, only=["error_rate"])[0].passed


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        (
            {"SYNDICRAWL_MONITOR_MAX_ERROR_RATE": "lots"},
            r"SYNDICRAWL_MONITOR_MAX_ERROR_RATE: bad value 'lots'",
        ),
        (
            {"SYNDICRAWL_MONITOR_DROP_RATIO": 1.5},
            r"SYNDICRAWL_MONITOR_DROP_RATIO: bad value 1.5: expected a number >= 0 and <= 1",
        ),
        (
            {"SYNDICRAWL_MONITOR_MIN_HISTORY_RUNS": 0},
            r"MIN_HISTORY_RUNS: bad value 0: expected an integer >= 1",
        ),
        ({"SYNDICRAWL_MONITOR_ENABLED": "maybe"}, r"SYNDICRAWL_MONITOR_ENABLED: bad value 'maybe'"),
    ],
)
def test_bad_settings_name_the_setting(settings: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        read_options(MonitorOptions, settings)


def test_export_failed() -> None:
    ok = run_of({"a": healthy_site(3)})
    assert check(ok, "export_failed", None).passed
    failed = run_of(
        {"a": healthy_site(3)},
        **{
            "syndicrawl/export/run_failed": 1,
            "syndicrawl/export/failure_message": "bucket news: NoSuchBucket",
        },
    )
    result = check(failed, "export_failed", None)
    assert not result.passed and result.figure == 1
    assert result.message == "export failed: bucket news: NoSuchBucket"


def history_of(values: list[int], site: str = "site-a", **counts: int) -> list[RunDocument]:
    return [run_of({site: healthy_site(v)}, day=i) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("past", "current", "passed", "threshold"),
    [
        pytest.param([40, 44, 38, 42], 35, True, 20.5, id="steady"),
        pytest.param([40, 44, 38, 42], 12, False, 20.5, id="dropped"),
        pytest.param([40, 44], 1, True, None, id="too-little-history"),
        pytest.param([40, 0, 44, 0], 1, True, None, id="empty-runs-not-counted"),
        pytest.param([0, 40, 44, 42, 0], 20, False, 21.0, id="outages-do-not-lower-the-bar"),
    ],
)
def test_sudden_drop(past: list[int], current: int, passed: bool, threshold: float | None) -> None:
    result = check(
        run_of({"site-a": healthy_site(current)}), "sudden_drop", "site-a", history_of(past)
    )
    assert (result.passed, result.threshold, result.figure) == (passed, threshold, current)
    assert "site site-a" in result.message


def test_sudden_drop_counts_unchanged_articles_of_incremental_runs() -> None:
    # A quiet incremental run: 2 new articles, 40 skipped as unchanged. Bare exports would look like a collapse.
    quiet = run_of({"site-a": healthy_site(2, skipped=40)})
    result = check(quiet, "sudden_drop", "site-a", history_of([42, 41, 43]))
    assert result.passed and result.figure == 42
    broken_feed = run_of({"site-a": healthy_site(2, skipped=3)})
    assert not check(broken_feed, "sudden_drop", "site-a", history_of([42, 41, 43])).passed


def test_sudden_drop_uses_only_the_last_n_runs_and_earlier_runs() -> None:
    options = MonitorOptions(history_runs=3)
    past = history_of([400, 400, 400, 10, 10, 10])
    result = run_monitors(run_of({"site-a": healthy_site(8)}), past, options, only=["sudden_drop"])[
        0
    ]
    assert result.passed and result.threshold == 5.0
    later = run_of({"site-a": healthy_site(500)}, day=99)
    earlier = run_of({"site-a": healthy_site(1)}, day=0)
    # a run is never compared with runs that started after it
    assert (
        run_monitors(
            earlier,
            [later, *history_of([500, 500, 500], site="site-a")[1:]],
            OPTIONS,
            only=["sudden_drop"],
        )[0].threshold
        is None
    )


@pytest.mark.parametrize(
    ("counts", "passed", "figure"),
    [
        pytest.param({"export/exported": 10, "monitor/undated": 1}, True, 0.1, id="few-undated"),
        pytest.param({"export/exported": 10, "monitor/undated": 9}, False, 0.9, id="dates-lost"),
        pytest.param(
            {"export/exported": 2, "monitor/undated": 2}, True, 1.0, id="too-few-to-judge"
        ),
        pytest.param(
            {"export/exported": 4, "dates/missing": 3}, False, 0.75, id="dates-stage-count"
        ),
        pytest.param(
            {"export/exported": 2, "monitor/dropped/NoPublicationDate": 6},
            False,
            0.75,
            id="dropped-undated",
        ),
    ],
)
def test_dates_lost(counts: dict[str, int], passed: bool, figure: float) -> None:
    result = check(run_of({"site-a": counts}), "dates_lost", "site-a")
    assert (result.passed, result.figure) == (passed, figure)
    assert "site site-a" in result.message and "without a publication date" in result.message


@pytest.mark.parametrize(
    ("counts", "passed", "figure"),
    [
        pytest.param(
            {"fetch/article_fetched": 20, "export/exported": 19, "monitor/dropped/BodyTooShort": 1},
            True,
            0.05,
            id="one-short",
        ),
        pytest.param(
            {
                "fetch/article_fetched": 12,
                "export/exported": 2,
                "monitor/dropped/EmptyExtraction": 7,
                "monitor/dropped/BodyTooShort": 3,
            },
            False,
            0.8333,
            id="layout-broke",
        ),
        pytest.param(
            {"fetch/article_fetched": 10, "export/exported": 10, "monitor/no_text": 8},
            False,
            0.8,
            id="exported-without-text",
        ),
        pytest.param(
            {
                "fetch/article_fetched": 10,
                "export/exported": 4,
                "monitor/dropped/DuplicateArticle": 6,
            },
            True,
            0.0,
            id="duplicates-are-not-loss",
        ),
    ],
)
def test_text_lost(counts: dict[str, int], passed: bool, figure: float) -> None:
    result = check(run_of({"site-a": counts}), "text_lost", "site-a")
    assert (result.passed, result.figure) == (passed, figure)
    assert "site site-a" in result.message


def test_standard_run_flags_the_two_broken_sites() -> None:
    run = build_run(standard_raw(), [], run_id_at(10), None, None, 0)
    failed = {(r.monitor, r.site) for r in run_monitors(run, [], OPTIONS) if not r.passed}
    assert failed == {("error_rate", "valley-ledger"), ("text_lost", "kestrel-fm")}
