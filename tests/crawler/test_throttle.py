"""SiteAutoThrottle on Scrapy's real engine, downloader slots and responses (no crawl, no network)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.fetch.throttle import SiteAutoThrottle

SLOTS = {"quick": {"concurrency": 2, "delay": 0.5}, "patient": {"concurrency": 1, "delay": 8.0}}


def in_a_loop(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` inside a running asyncio loop: Scrapy's engine loads its download handlers."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        async def body() -> None:
            test(*args, **kwargs)

        asyncio.run(body())

    return run


def throttle(**settings: Any) -> tuple[SiteAutoThrottle, Any]:
    crawler = get_crawler(
        Spider,
        settings_dict={
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
            "DOWNLOAD_DELAY": 0.25,
            "DOWNLOAD_SLOTS": SLOTS,
            "SYNDICRAWL_FETCH_MAX_SITE_DELAY": 5.0,
            **settings,
        },
    )
    crawler.spider = crawler._create_spider("t")
    crawler.engine = ExecutionEngine(crawler, lambda _spider: None)
    extension = SiteAutoThrottle.from_crawler(crawler)
    extension._spider_opened(crawler.spider)
    return extension, crawler


def answer(
    extension: SiteAutoThrottle, crawler: Any, site: str, latency: float, status: int = 200
) -> float:
    """A response of ``site`` after ``latency`` seconds; the slot's delay afterwards."""
    request = Request(f"https://{site}.example/a", meta={"download_slot": site})
    _key, slot = crawler.engine.downloader._get_slot(request)
    request.meta["download_latency"] = latency
    extension._response_downloaded(Response(request.url, status=status), request, crawler.spider)
    return float(slot.delay)


@in_a_loop
def test_one_slow_answer_raises_the_delay_only_to_the_bound() -> None:
    extension, crawler = throttle()
    # Scrapy's own policy would set 18 s / 2 = 9 s here (one slow-drip page at DOWNLOAD_TIMEOUT 15).
    assert answer(extension, crawler, "quick", 18.0) == 5.0
    assert crawler.stats.get_value("syndicrawl/site/quick/fetch/delay_capped_count") == 1
    assert crawler.stats.get_value("syndicrawl/site/quick/fetch/delay_max_seconds") == 5.0


@in_a_loop
def test_quick_answers_bring_it_down_to_the_sites_own_delay_not_below() -> None:
    extension, crawler = throttle()
    answer(extension, crawler, "quick", 18.0)
    delays = [answer(extension, crawler, "quick", 0.01) for _ in range(6)]
    assert delays[0] < 5.0 and delays == sorted(delays, reverse=True)
    assert delays[-1] == 0.5  # politeness.delay of the site, above DOWNLOAD_DELAY (0.25)


@in_a_loop
def test_not_modified_answers_lower_the_delay_too_but_errors_do_not() -> None:
    extension, crawler = throttle()
    answer(extension, crawler, "quick", 18.0)
    assert answer(extension, crawler, "quick", 0.01, status=304) < 5.0
    extension, crawler = throttle()
    answer(extension, crawler, "quick", 18.0)
    assert answer(extension, crawler, "quick", 0.01, status=404) == 5.0


@in_a_loop
def test_a_site_that_asks_for_more_than_the_bound_keeps_its_delay() -> None:
    extension, crawler = throttle()
    assert answer(extension, crawler, "patient", 0.01) == 8.0
    assert answer(extension, crawler, "patient", 30.0) == 8.0


@pytest.mark.parametrize(("scrapy_max", "expected"), [(2.0, 2.0), (60.0, 5.0)])
@in_a_loop
def test_autothrottle_max_delay_still_bounds_when_lower(scrapy_max: float, expected: float) -> None:
    extension, crawler = throttle(AUTOTHROTTLE_MAX_DELAY=scrapy_max)
    assert answer(extension, crawler, "quick", 60.0) == expected


@in_a_loop
def test_the_bound_setting_is_validated() -> None:
    with pytest.raises(ValueError, match="SYNDICRAWL_FETCH_MAX_SITE_DELAY"):
        throttle(SYNDICRAWL_FETCH_MAX_SITE_DELAY="soon")
