"""Time-zone abbreviations: in site files (resolved to one IANA zone, or refused naming the
candidates) and in page dates (read at the abbreviation's offset, the site's zone deciding an
ambiguous one, else read in the site's zone and counted). The data is the tz database's and
dateparser's, so these checks also catch a library update that changes a meaning."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import SiteConfigError, load_sites, parse_site
from pipelines.core.dating import DateFinder
from pipelines.core.metadata import DateCandidate
from pipelines.core.timezones import TimezoneError, country_of, find_abbreviation, site_zone
from pipelines.dates import DatesPipeline
from pipelines.extract import HINT_DATES

FETCHED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("WAT", "Africa/Lagos"),
        ("SAST", "Africa/Johannesburg"),
        ("MDT", "America/Denver"),
        ("EAT", "Africa/Nairobi"),
        ("EDT", "America/New_York"),
        ("PDT", "America/Los_Angeles"),
        ("JST", "Asia/Tokyo"),
        ("wat", "Africa/Lagos"),  # case does not matter
        ("Europe/London", "Europe/London"),  # IANA names stay as they are
        ("UTC", "UTC"),
        ("GB", "GB"),  # an upper-case IANA alias, not an abbreviation
    ],
)
def test_site_zone_resolves_unambiguous_abbreviations(value: str, zone: str) -> None:
    assert site_zone(value) == zone


@pytest.mark.parametrize(
    ("value", "candidates"),
    [
        ("IST", ["Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"]),
        ("CST", ["America/Chicago", "Asia/Shanghai", "America/Havana"]),
        ("BST", ["Europe/London", "Asia/Dhaka"]),
        ("MST", ["America/Denver", "America/Phoenix"]),  # with and without daylight saving
    ],
)
def test_ambiguous_abbreviations_name_their_candidates(value: str, candidates: list[str]) -> None:
    with pytest.raises(TimezoneError, match=f"'{value}' is ambiguous") as caught:
        site_zone(value)
    for zone in candidates:
        assert zone in str(caught.value)
    assert "write the IANA zone you mean" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "url", "zone"),
    [
        ("IST", "https://news.example.in/", "Asia/Kolkata"),
        ("IST", "https://www.paper.ie/", "Europe/Dublin"),
        ("BST", "https://www.daily.co.uk/", "Europe/London"),
        ("BST", "https://dhaka-news.com.bd/", "Asia/Dhaka"),
        ("CST", "https://wire.com.cn/", "Asia/Shanghai"),
        ("SGT", "https://straits.com.sg/", "Asia/Singapore"),  # known to dateparser only
    ],
)
def test_the_sites_country_decides(value: str, url: str, zone: str) -> None:
    assert site_zone(value, url=url) == zone


def test_unknown_or_offset_only_values_are_refused() -> None:
    with pytest.raises(TimezoneError, match="an IANA time zone such as"):
        site_zone("Mars/Olympus")
    with pytest.raises(TimezoneError, match="'SGT' is UTC\\+08:00 in dateparser's list"):
        site_zone("SGT", url="https://news.example.com/")
    assert country_of("http://127.0.0.1:8001/") is None
    assert country_of("https://x.example.uk/") == "GB"


def write_site(folder: Path, timezone: str, base_url: str = "https://harbor.example/") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "harbor-times",
                "role": "original",
                "base_url": base_url,
                "start": {"rss": ["/rss.xml"]},
                "timezone": timezone,
            }
        ),
        encoding="utf-8",
    )


def test_a_site_file_with_an_abbreviation(tmp_path: Path) -> None:
    write_site(tmp_path / "lagos", "WAT")
    assert load_sites(tmp_path / "lagos")["harbor-times"].timezone == "Africa/Lagos"
    write_site(tmp_path / "india", "IST", "https://harbor.example.in/")
    assert load_sites(tmp_path / "india")["harbor-times"].timezone == "Asia/Kolkata"
    write_site(tmp_path / "unknown", "IST")
    with pytest.raises(SiteConfigError) as caught:
        load_sites(tmp_path / "unknown")
    [line] = str(caught.value).splitlines()
    assert line.startswith(
        f"{tmp_path / 'unknown' / 'site.yaml'}: field 'timezone': bad value 'IST'"
    )
    assert "Asia/Kolkata (UTC+05:30)" in line


@pytest.fixture(scope="module")
def finder() -> DateFinder:
    return DateFinder()


@pytest.mark.parametrize(
    ("raw", "site_zone_name", "iso"),
    [
        ("9 March 2026, 10:15 WAT", "UTC", "2026-03-09T09:15:00+00:00"),
        ("Mon, 09 Mar 2026 10:15:00 SAST", "UTC", "2026-03-09T08:15:00+00:00"),
        ("2026-07-09 10:15 MDT", "UTC", "2026-07-09T16:15:00+00:00"),
        ("9 March 2026, 10:15 am (EAT)", "UTC", "2026-03-09T07:15:00+00:00"),
        # the site's own zone decides an ambiguous one
        ("9 March 2026, 10:15 IST", "Asia/Kolkata", "2026-03-09T04:45:00+00:00"),
        ("9 July 2026, 10:15 IST", "Europe/Dublin", "2026-07-09T09:15:00+00:00"),
        ("Mon, 09 Mar 2026 10:15:00 CST", "Asia/Shanghai", "2026-03-09T02:15:00+00:00"),
        # a generic US name follows daylight saving on the date
        ("July 9, 2026 10:15 ET", "UTC", "2026-07-09T14:15:00+00:00"),
        ("March 2, 2026 10:15 ET", "UTC", "2026-03-02T15:15:00+00:00"),
    ],
)
def test_page_dates_with_abbreviations(
    finder: DateFinder, raw: str, site_zone_name: str, iso: str
) -> None:
    result = finder.find(
        [DateCandidate(raw, "text", "published", 1)], fetched_at=FETCHED, timezone=site_zone_name
    )
    assert result.iso(result.published_at) == iso
    assert result.zone_fallbacks == []


def test_an_ambiguous_page_abbreviation_is_read_in_the_sites_zone_and_counted() -> None:
    crawler = get_crawler(settings_dict={"SYNDICRAWL_POOL_PROCESSES": 0})
    site = parse_site(
        {
            "name": "ledger",
            "role": "original",
            "domains": ["ledger.example"],
            "start": {"rss": ["https://ledger.example/rss"]},
            "timezone": "Europe/Berlin",
        },
        "test",
    )
    crawler.spider = type("Spider", (), {"sites": {"ledger": site}})()
    crawler.stats.open_spider()
    pipe = DatesPipeline.from_crawler(crawler)
    item = pipe.process_item(
        ArticleItem(
            url="https://ledger.example/a",
            site="ledger",
            fetched_at=FETCHED.isoformat(),
            hints={HINT_DATES: [DateCandidate("9 March 2026, 10:15 IST", "text", "published", 1)]},
        )
    )
    # IST is India's, Israel's or Ireland's; Berlin uses none of them: read as Berlin time.
    assert item.published_at == "2026-03-09T09:15:00+00:00"
    assert crawler.stats.get_value("syndicrawl/dates/timezone_fallback_count/ist") == 1
    assert crawler.stats.get_value("syndicrawl/site/ledger/dates/timezone_fallback_count/ist") == 1


def test_only_abbreviations_after_a_time_are_taken() -> None:
    assert find_abbreviation("10:15 AM") is None
    assert find_abbreviation("Fri, 20 Nov 2026 08:30:00 GMT") is None  # parsers know GMT
    assert find_abbreviation("WAT 10:15") is None
    found = find_abbreviation("Published 10:15 AM (SAST) · Updated 11:00")
    assert found is not None and found.name == "SAST"
    assert found.without == "Published 10:15 AM · Updated 11:00"
