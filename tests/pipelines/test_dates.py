"""Dates core and DatesPipeline: sources by trust, time zones, relative dates, rejections, stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import parse_site
from pipelines.core.dating import DateFinder, DateOptions, DateResult, hint_candidates, url_date
from pipelines.core.metadata import DateCandidate
from pipelines.dates import DatesPipeline
from pipelines.extract import HINT_DATES

FETCHED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def C(raw, source="meta", kind="published", rank=0):
    return DateCandidate(raw, source, kind, rank)


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


@pytest.mark.parametrize(
    ("candidates", "iso", "source"),
    [
        ([C("2026-11-20T08:30:00+01:00", "jsonld")], "2026-11-20T07:30:00+00:00", "jsonld"),
        ([C("2026-11-20T08:30:00Z", "meta")], "2026-11-20T08:30:00+00:00", "meta"),
        ([C("Fri, 20 Nov 2026 08:30:00 GMT", "feed")], "2026-11-20T08:30:00+00:00", "feed"),
        ([C("2026-11-20T08:30:00+00:00", "sitemap")], "2026-11-20T08:30:00+00:00", "sitemap"),
        ([C("20 November 2026, 09:30", "text")], "2026-11-20T09:30:00+00:00", "text"),
        ([C("2026-11-20", "url")], "2026-11-20T00:00:00+00:00", "url"),
        # JSON-LD beats a page-level meta, which beats the sitemap hint, which beats text and URL
        (
            [
                C("2026-11-18", "url"),
                C("2026-11-19T10:00:00Z", "text"),
                C("2026-11-20T08:30:00Z", "jsonld"),
            ],
            "2026-11-20T08:30:00+00:00",
            "jsonld",
        ),
        # a modified date is never taken for the publication
        (
            [
                C("2026-11-21T10:00:00Z", "jsonld", "modified"),
                C("2026-11-20T08:30:00Z", "meta", rank=1),
            ],
            "2026-11-20T08:30:00+00:00",
            "meta",
        ),
        # print-issue <meta name="date"> loses to a visible text date
        (
            [C("2026-11-01", "meta", rank=5), C("2026-11-20T08:30:00Z", "text", rank=0)],
            "2026-11-20T08:30:00+00:00",
            "text",
        ),
        # a date-only winner borrows the time of a same-day candidate from a weaker source
        (
            [C("2026-11-20", "jsonld"), C("2026-11-20T08:30:00Z", "text")],
            "2026-11-20T08:30:00+00:00",
            "text",
        ),
    ],
    ids=[
        "jsonld",
        "meta",
        "feed-rfc2822",
        "sitemap",
        "text",
        "url",
        "trust-order",
        "modified-not-published",
        "print-issue-date-last",
        "date-borrows-time",
    ],
)
def test_sources(finder, candidates, iso, source):
    result = finder.find(candidates, fetched_at=FETCHED)
    assert DateResult.iso(result.published_at) == iso
    assert result.published_source == source
    assert result.published_raw == next(c.raw for c in candidates if c.source == source)


def test_naive_time_read_in_site_timezone(finder):
    result = finder.find([C("2026-07-01T09:00:00")], fetched_at=FETCHED, timezone="Europe/Berlin")
    assert DateResult.iso(result.published_at) == "2026-07-01T07:00:00+00:00"


def test_updated_kept_apart(finder):
    result = finder.find(
        [C("2026-11-20T08:30:00Z"), C("2026-11-20T11:00:00Z", kind="modified")], fetched_at=FETCHED
    )
    assert (
        DateResult.iso(result.updated_at) == "2026-11-20T11:00:00+00:00"
        and result.updated_source == "meta"
    )
    before = finder.find(
        [C("2026-11-20T08:30:00Z"), C("2026-11-19T11:00:00Z", kind="modified")], fetched_at=FETCHED
    )
    assert before.updated_at is None  # an update before the publication is a wrong field


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2 hours ago", "2026-11-27T10:00:00+00:00"),
        ("vor 3 Stunden", "2026-11-27T09:00:00+00:00"),
        ("yesterday", "2026-11-26"),
    ],
)
def test_relative_dates_count_from_fetched_at(finder, raw, expected):
    # the wall clock is far away: only fetched_at may matter
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        result = finder.find([C(raw, "text")], fetched_at=FETCHED, languages=("en", "de"))
    assert DateResult.iso(result.published_at).startswith(expected)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2026-12-25T10:00:00Z", "future"),
        ("2026-11-29", "future"),
        ("1989-12-31T10:00:00Z", "too_old"),
        ("not a date at all", "unparseable"),
    ],
)
def test_impossible_dates_rejected_never_guessed(finder, raw, reason):
    result = finder.find([C(raw, "jsonld")], fetched_at=FETCHED)
    assert result.published_at is None
    assert result.rejected == [reason]


def test_rejected_best_falls_back_to_next(finder):
    result = finder.find(
        [C("2030-01-01T00:00:00Z", "jsonld"), C("2026-11-20T08:30:00Z", "meta")], fetched_at=FETCHED
    )
    assert result.published_source == "meta" and result.rejected == ["future"]


def test_small_skew_allowed(finder):
    result = finder.find([C("2026-11-27T18:00:00Z")], fetched_at=FETCHED)  # a local time labelled Z
    assert result.published_at is not None
    assert DateFinder(DateOptions(future_skew=timedelta(0))).find(
        [C("2026-11-27T18:00:00Z")], fetched_at=FETCHED
    ).rejected == ["future"]


def test_missing_is_allowed(finder):
    assert finder.find([], fetched_at=FETCHED).published_at is None


def test_fetched_at_must_be_aware(finder):
    with pytest.raises(ValueError, match="timezone-aware"):
        finder.find([], fetched_at=datetime(2026, 1, 1))


def test_url_date_and_hints():
    assert url_date("https://x.example/news/2026/03/02/harbour/") == "2026-03-02"
    assert url_date("https://x.example/news/2026/13/40/harbour/") is None
    hints = {
        "published_raw": "2026-03-02T08:00:00Z",
        "published_source": "sitemap",
        "lastmod": "2026-03-03",
        "text_dates": ["2 March 2026"],
    }
    got = {(c.source, c.kind) for c in hint_candidates(hints)}
    assert got == {("sitemap", "published"), ("sitemap", "modified"), ("text", "published")}


# --- adapter ---------------------------------------------------------------------------------------


class FakeSpider:
    def __init__(self, sites):
        self.sites = sites


def make(**settings):
    crawler = get_crawler(settings_dict=settings)
    site = parse_site(
        {
            "name": "gazette",
            "role": "original",
            "domains": ["gazette.example"],
            "start": {"rss": ["https://gazette.example/rss"]},
            "languages": ["de"],
            "timezone": "Europe/Berlin",
        },
        "test",
    )
    crawler.spider = FakeSpider({"gazette": site})
    crawler.stats.open_spider()
    return DatesPipeline.from_crawler(crawler), crawler


def test_from_crawler_maps_settings():
    pipe, _ = make(SYNDICRAWL_DATES_FUTURE_SKEW_HOURS=1, SYNDICRAWL_DATES_MIN_YEAR=2000)
    assert (
        pipe.finder.options.future_skew == timedelta(hours=1)
        and pipe.finder.options.min_year == 2000
    )


def test_production_parser_builds_and_parses():
    pipe, _ = make()
    parser = pipe.finder.parser.dateparser_for(("de",), "Europe/Berlin")
    assert parser.get_date_data("3. März 2026 10:15").date_obj is not None


def test_adapter_sets_fields_and_stats():
    pipe, crawler = make()
    item = ArticleItem(
        url="https://gazette.example/a",
        site="gazette",
        fetched_at="2026-11-27T12:00:00+00:00",
        hints={
            HINT_DATES: [C("2026-11-20T09:30:00", "meta", rank=1)],
            "text_dates": ["20. November 2026"],
            "published_raw": "2026-11-20T08:31:00Z",
            "published_source": "sitemap",
        },
    )
    out = pipe.process_item(item)
    assert out.published_at == "2026-11-20T08:30:00+00:00"  # naive meta time read in Europe/Berlin
    assert out.published_at_source == "meta" and out.published_at_raw == "2026-11-20T09:30:00"
    assert crawler.stats.get_value("syndicrawl/dates/source_count/meta") == 1
    missing = pipe.process_item(
        ArticleItem(
            url="https://gazette.example/b", site="gazette", fetched_at="2026-11-27T12:00:00+00:00"
        )
    )
    assert missing.published_at is None
    assert crawler.stats.get_value("syndicrawl/dates/missing_count") == 1
    future = pipe.process_item(
        ArticleItem(
            url="https://gazette.example/c",
            site="gazette",
            fetched_at="2026-11-27T12:00:00+00:00",
            hints={HINT_DATES: [C("2027-01-01T00:00:00Z", "jsonld")]},
        )
    )
    assert future.published_at is None
    assert crawler.stats.get_value("syndicrawl/dates/rejected_count/future") == 1
